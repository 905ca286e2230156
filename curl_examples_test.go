package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCurlExamples runs the README's curl examples (register → token →
// use a tool) verbatim against the real binary, but for host and port and the
// ids they ask the reader to fill in.
func TestReadmeCurlExamples(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	srv := startServer(t, bin, dir)

	examples := readmeCurls(t)
	if len(examples) != 3 {
		t.Fatalf("the README has %d curl examples in its quick start, want 3", len(examples))
	}
	client := login(t, srv.base, "client1@example.com", "client-demo-pass")
	fill := strings.NewReplacer("http://127.0.0.1:8090", srv.base, "TOOL_ID", demoToolID(t, srv.base, client, "JSON Formatter"))

	status, body := runCurl(t, fill.Replace(examples[0]))
	if status != 201 || !strings.Contains(body, `"email":"alice@example.com"`) || strings.Contains(body, "password") {
		t.Fatalf("register: %d %s", status, body)
	}
	status, body = runCurl(t, fill.Replace(examples[1]))
	var tokens struct{ Access, Refresh string }
	if status != 200 || json.Unmarshal([]byte(body), &tokens) != nil || tokens.Access == "" || tokens.Refresh == "" {
		t.Fatalf("token: %d %s", status, body)
	}
	// as the README says, an admin grants the new client points first
	mustRun(t, bin, "points", "add", "alice@example.com", "100", "--reason", "welcome", "--dir", dir)
	status, body = runCurl(t, strings.ReplaceAll(fill.Replace(examples[2]), "ACCESS_TOKEN", tokens.Access))
	if status != 200 || !strings.Contains(body, `"usage_id":"`) || !strings.Contains(body, `"remaining_points":99`) {
		t.Fatalf("use: %d %s", status, body)
	}
}

// readmeCurls returns the curl commands of the README's quick start block.
func readmeCurls(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(raw), "<!-- curl examples: tested by curl_examples_test.go -->")
	if !ok {
		t.Fatal("the README lost its curl examples marker")
	}
	block, _, _ = strings.Cut(strings.SplitN(block, "```sh", 2)[1], "```")
	var cmds []string
	for _, cmd := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
		if cmd = strings.TrimSpace(cmd); strings.HasPrefix(cmd, "curl ") {
			cmds = append(cmds, cmd)
		}
	}
	return cmds
}

var curlArg = regexp.MustCompile(`'[^']*'|"[^"]*"|\S+`)

// runCurl performs a curl command line of the forms the README uses
// (-X METHOD, -H 'Header: value', -d 'body', URL) with net/http.
func runCurl(t *testing.T, cmd string) (int, string) {
	t.Helper()
	args := curlArg.FindAllString(strings.TrimPrefix(cmd, "curl "), -1)
	method, url, body := http.MethodGet, "", ""
	headers := http.Header{}
	for i := 0; i < len(args); i++ {
		arg := strings.Trim(args[i], `'"`)
		switch arg {
		case "-X":
			i++
			method = strings.Trim(args[i], `'"`)
		case "-H":
			i++
			k, v, _ := strings.Cut(strings.Trim(args[i], `'"`), ":")
			headers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-d", "--data":
			i++
			body = strings.Trim(args[i], `'`)
			if method == http.MethodGet {
				method = http.MethodPost
			}
		case "-s", "-sS":
		default:
			url = arg
		}
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	req.Header = headers
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}
