package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A failed command prints one "Error: …" line on stderr, without a log
// timestamp, nothing on stdout, and exits 1.
func TestCommandErrorsAreOneLine(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	if out, code := run(t, bin, "seed", "--demo", "--dir", dir); code != 0 {
		t.Fatalf("seed --demo: exit %d\n%s", code, out)
	}
	timestamp := regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"points", "add", "client3@example.com", "5"}, "--reason is required"},
		{[]string{"points", "add", "client3@example.com", "-5", "--reason", "x"}, "negative amounts are refused (-5)"},
		{[]string{"points", "deduct", "client3@example.com", "--reason", "x", "--", "-5"}, "negative amounts are refused (-5)"},
		{[]string{"points", "deduct", "client3@example.com", "1000", "--reason", "x"}, "only 100 available"},
		{[]string{"points", "add", "nobody@example.com", "5", "--reason", "x"}, `no user with email "nobody@example.com"`},
		{[]string{"stats", "--tool", "no such tool"}, `no tool with id or name "no such tool"`},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var stdout, stderr bytes.Buffer
		// the flags go before a "--", after which everything is an argument
		k := len(tc.args)
		for i, a := range tc.args {
			if a == "--" {
				k = i
				break
			}
		}
		args := append(append(append([]string{}, tc.args[:k]...), "--dir", dir, noDev), tc.args[k:]...)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%q: %v, want exit 1", tc.args, err)
		}
		line := stderr.String()
		if !strings.HasPrefix(line, "Error: ") || strings.Count(line, "\n") != 1 || !strings.Contains(line, tc.want) || timestamp.MatchString(line) {
			t.Errorf("%q: stderr %q, want one line \"Error: …%s…\" without a timestamp", tc.args, line, tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: stdout %q, want nothing", tc.args, stdout.String())
		}
	}
}
