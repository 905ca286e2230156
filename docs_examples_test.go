package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDocsExamples runs the examples of docs/api.md, in order, against the real
// binary serving a fresh `seed --demo` data directory on 127.0.0.1, and checks
// each answer against the answer the doc shows under it: the status code, the
// headers shown, and the JSON body shown (a subset: fields not shown are not
// checked; "…" stands for any value, "abc…" for any string starting with abc,
// and a placeholder's name for its value).
//
// An example is a ```sh block holding one curl command, preceded by the marker
// <!-- example --> (or <!-- example: sets NAME=field … -->, which keeps a field
// of the answer for later examples as the placeholder NAME) and followed by a
// ```http block: the status line, the headers, a blank line, the body. Every
// curl command in the doc must be such an example.
func TestDocsExamples(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	srv := startServer(t, bin, dir)

	examples := docExamples(t, "docs/api.md")
	if len(examples) < 25 {
		t.Fatalf("docs/api.md has %d tested examples, want at least 25", len(examples))
	}

	// the placeholders the doc's legend promises; the examples set the rest
	admin := login(t, srv.base, "admin@example.com", "admin-demo-pass")
	vars := map[string]string{
		"ADMIN_TOKEN":    admin,
		"CREATOR_TOKEN":  login(t, srv.base, "creator1@example.com", "creator-demo-pass"),
		"CREATOR2_TOKEN": login(t, srv.base, "creator2@example.com", "creator-demo-pass"),
		"TOOL_ID":        demoToolID(t, srv.base, admin, "Hash Generator"),
		"OTHER_TOOL_ID":  demoToolID(t, srv.base, admin, "JSON Formatter"),
	}
	placeholder := regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`)
	client := &http.Client{Timeout: 5 * time.Second}

	for _, ex := range examples {
		cmd := strings.ReplaceAll(ex.curl, docBase, srv.base)
		for name, value := range vars {
			cmd = regexp.MustCompile(`\b`+name+`\b`).ReplaceAllLiteralString(cmd, value)
		}
		if left := placeholder.FindString(cmd); left != "" {
			t.Fatalf("docs/api.md line %d: placeholder %s is not set by an earlier example", ex.line, left)
		}
		status, header, body := doCurl(t, client, cmd)
		body = strings.ReplaceAll(body, srv.base, docBase)
		// a wrong answer is reported and the next examples still run, so that
		// one run lists every difference
		fail := func(format string, args ...any) {
			t.Errorf("docs/api.md line %d: %s\n%s\nanswer: %d %s", ex.line, fmt.Sprintf(format, args...), ex.curl, status, body)
		}
		if status != ex.status {
			fail("status %d, the doc says %d", status, ex.status)
		}
		for name, want := range ex.header {
			if got := header.Get(name); len(header.Values(name)) == 0 || !matchString(want, got) {
				fail("header %s: %q, the doc says %q", name, got, want)
			}
		}
		var got any
		if ex.body != nil || len(ex.sets) > 0 {
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				fail("the answer is not JSON: %v", err)
				continue
			}
		}
		if ex.body != nil {
			if err := matchJSON(fillJSON(ex.body, vars), got, "body"); err != nil {
				fail("%v", err)
			}
		}
		for name, field := range ex.sets {
			v, ok := jsonField(got, field)
			if !ok {
				t.Fatalf("docs/api.md line %d: no field %s to set %s from\nanswer: %d %s", ex.line, field, name, status, body)
			}
			vars[name] = v
		}
	}
}

// docBase is the server address the doc's examples are written for.
const docBase = "http://127.0.0.1:8090"

type docExample struct {
	line   int               // of the curl command in the doc
	curl   string            // one line
	sets   map[string]string // placeholder → field of the answer
	status int
	header map[string]string
	body   any // nil: not checked
}

var (
	docMarker = regexp.MustCompile(`^<!-- example(?::\s*sets\s+(.*?))?\s*-->$`)
	docFence  = regexp.MustCompile("^```(\\w*)$")
)

// docExamples parses the examples of the doc at path (see TestDocsExamples).
func docExamples(t *testing.T, path string) []docExample {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	// block reads the fenced block opening at or after line i (blank lines
	// skipped) and returns its language, its text and the line after it.
	block := func(i int) (lang, text string, open, next int) {
		for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
			i++
		}
		m := i < len(lines) && docFence.MatchString(lines[i])
		if !m {
			t.Fatalf("%s line %d: a fenced block was expected after an example marker", path, i+1)
		}
		lang, open = docFence.FindStringSubmatch(lines[i])[1], i
		var body []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		return lang, strings.Join(body, "\n"), open, i + 1
	}

	var out []docExample
	marked := map[int]bool{} // lines of the sh blocks that are examples
	for i := 0; i < len(lines); i++ {
		m := docMarker.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		ex := docExample{sets: map[string]string{}, header: map[string]string{}}
		for _, set := range strings.Fields(strings.ReplaceAll(m[1], ",", " ")) {
			name, field, ok := strings.Cut(set, "=")
			if !ok {
				t.Fatalf("%s line %d: bad `sets` %q", path, i+1, set)
			}
			ex.sets[name] = field
		}
		lang, text, open, next := block(i + 1)
		ex.line = open + 2
		marked[open] = true
		cmd := strings.TrimSpace(strings.ReplaceAll(text, "\\\n", " "))
		if lang != "sh" || !strings.HasPrefix(cmd, "curl ") || strings.Contains(cmd, "\n") {
			t.Fatalf("%s line %d: an example is a sh block of one curl command", path, ex.line)
		}
		ex.curl = cmd
		lang, text, _, next = block(next)
		if lang != "http" {
			t.Fatalf("%s line %d: the example's answer (an http block) is missing", path, ex.line)
		}
		head, payload, _ := strings.Cut(text, "\n\n")
		headLines := strings.Split(head, "\n")
		f := strings.Fields(headLines[0])
		if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
			t.Fatalf("%s line %d: the answer starts with a status line", path, ex.line)
		}
		if ex.status, err = strconv.Atoi(f[1]); err != nil {
			t.Fatalf("%s line %d: status %q", path, ex.line, f[1])
		}
		for _, h := range headLines[1:] {
			k, v, ok := strings.Cut(h, ":")
			if !ok {
				t.Fatalf("%s line %d: header line %q", path, ex.line, h)
			}
			ex.header[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		if payload = strings.TrimSpace(payload); payload != "" {
			if err := json.Unmarshal([]byte(payload), &ex.body); err != nil {
				t.Fatalf("%s line %d: the answer's body is not JSON: %v", path, ex.line, err)
			}
		}
		out = append(out, ex)
		i = next - 1
	}

	// every curl command in a sh block is an example
	inSh := false
	for i, l := range lines {
		switch {
		case !inSh && l == "```sh":
			inSh = true
			if strings.Contains(strings.Join(lines[i+1:min(i+4, len(lines))], "\n"), "curl ") && !marked[i] {
				t.Fatalf("%s line %d: a curl command without an <!-- example --> marker", path, i+2)
			}
		case inSh && l == "```":
			inSh = false
		}
	}
	return out
}

var docCurlArg = regexp.MustCompile(`'[^']*'|"[^"]*"|\S+`)

// doCurl performs a curl command of the forms the doc uses (-i, -s, -X METHOD,
// -H 'Header: value', -d 'body', the URL) with client.
func doCurl(t *testing.T, client *http.Client, cmd string) (int, http.Header, string) {
	t.Helper()
	args := docCurlArg.FindAllString(strings.TrimPrefix(cmd, "curl "), -1)
	method, url, body := "", "", ""
	header := http.Header{}
	for i := 0; i < len(args); i++ {
		arg := strings.Trim(args[i], `'"`)
		next := func() string {
			i++
			if i == len(args) {
				t.Fatalf("%s: %s lacks its value", cmd, arg)
			}
			return strings.Trim(args[i], `'"`)
		}
		switch {
		case arg == "-X":
			method = next()
		case arg == "-H":
			k, v, _ := strings.Cut(next(), ":")
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case arg == "-d":
			body = next()
		case strings.HasPrefix(arg, "-"):
			if strings.Trim(arg, "-is") != "" {
				t.Fatalf("%s: option %s is not one the test knows", cmd, arg)
			}
		default:
			url = arg
		}
	}
	if method == "" {
		method = http.MethodGet
		if body != "" {
			method = http.MethodPost
		}
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	req.Header = header
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(out)
}

// matchString says whether got is the doc's want: "…" is anything, "abc…" a
// string starting with abc.
func matchString(want, got string) bool {
	if prefix, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, prefix)
	}
	return want == got
}

// matchJSON checks got against the doc's want: objects by the fields want
// names, arrays item by item, strings as matchString, the rest equal.
func matchJSON(want, got any, path string) error {
	switch w := want.(type) {
	case string:
		if w == "…" {
			return nil
		}
		if g, ok := got.(string); ok && matchString(w, g) {
			return nil
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing, the doc shows %v", path, k, v)
			}
			if err := matchJSON(v, gv, path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		for i := range w {
			if err := matchJSON(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	default:
		if reflect.DeepEqual(want, got) {
			return nil
		}
	}
	return fmt.Errorf("%s: %s, the doc says %s", path, compact(got), compact(want))
}

// fillJSON returns the doc's answer v with each string that names a
// placeholder replaced by the placeholder's value.
func fillJSON(v any, vars map[string]string) any {
	switch x := v.(type) {
	case string:
		if value, ok := vars[x]; ok {
			return value
		}
	case map[string]any:
		out := map[string]any{}
		for k, item := range x {
			out[k] = fillJSON(item, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = fillJSON(item, vars)
		}
		return out
	}
	return v
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonField returns the field at path (dot-separated names and indexes) of an
// answer, as text.
func jsonField(v any, path string) (string, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, x != ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}
