package builtin

import (
	"encoding/json"
	"strings"
	"testing"
)

func run(t *testing.T, name string, input string) (map[string]any, string) {
	t.Helper()
	out := Run(Address(name), []byte(input))
	if out.Failure != "" {
		return nil, out.Failure
	}
	var m map[string]any
	if err := json.Unmarshal(out.Output, &m); err != nil {
		t.Fatalf("%s: output %s: %v", name, out.Output, err)
	}
	return m, ""
}

func TestWordCount(t *testing.T) {
	t.Parallel()
	m, fail := run(t, "wordcount", `{"text": "Hello, world! It is 2 o'clock — café time.\n\nSecond paragraph"}`)
	if fail != "" {
		t.Fatal(fail)
	}
	want := map[string]float64{"words": 10, "sentences": 3, "paragraphs": 2, "lines": 3, "characters": 60, "reading_time_seconds": 3}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v (%v)", k, m[k], v, m)
		}
	}
	if _, fail := run(t, "wordcount", `{}`); !strings.Contains(fail, `"text"`) {
		t.Errorf("no text: %q", fail)
	}
	if _, fail := run(t, "wordcount", `{"text": 5}`); fail != "input_data.text must be a string" {
		t.Errorf("a number: %q", fail)
	}
}

func TestJSONFormat(t *testing.T) {
	t.Parallel()
	m, fail := run(t, "json-format", `{"json": "{\"b\":1,\"a\":[true,null]}"}`)
	if fail != "" {
		t.Fatal(fail)
	}
	if m["formatted"] != "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null\n  ]\n}" || m["minified"] != `{"b":1,"a":[true,null]}` || m["type"] != "object" || m["valid"] != true {
		t.Errorf("formatted: %v", m)
	}
	// without "json", input_data itself
	m, fail = run(t, "json-format", `{"text": "hello", "indent": 0}`)
	if fail != "" || m["formatted"] != `{"text":"hello"}` {
		t.Errorf("input_data itself: %v %q", m, fail)
	}
	_, fail = run(t, "json-format", `{"json": "{\"a\": 1,\n \"b\": oops}"}`)
	if !strings.HasPrefix(fail, "input_data.json is not valid JSON: ") || !strings.Contains(fail, "line 2, column 7") {
		t.Errorf("invalid JSON: %q", fail)
	}
	if _, fail = run(t, "json-format", `{"json": "   "}`); !strings.Contains(fail, "empty") {
		t.Errorf("empty: %q", fail)
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	m, fail := run(t, "hash", `{"text": "abc"}`)
	if fail != "" || m["hex"] != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || m["of"] != "text" {
		t.Errorf("sha256(abc): %v %q", m, fail)
	}
	m, _ = run(t, "hash", `{"text": "abc", "algorithm": "MD5"}`)
	if m["hex"] != "900150983cd24fb0d6963f7d28e17f72" {
		t.Errorf("md5(abc): %v", m)
	}
	// canonical JSON: key order does not matter
	a, _ := run(t, "hash", `{"b": 1, "a": 2}`)
	b, _ := run(t, "hash", `{"a": 2, "b": 1}`)
	if a["hex"] != b["hex"] || a["of"] != "input_data" {
		t.Errorf("canonical: %v %v", a, b)
	}
	if _, fail := run(t, "hash", `{"text": "x", "algorithm": "crc32"}`); !strings.Contains(fail, "algorithm") {
		t.Errorf("unknown algorithm: %q", fail)
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	m, fail := run(t, "markdown", `{"markdown": "# Hi\n\n*you* <script>alert(1)</script> [x](javascript:alert(1)) [y](https://example.com)"}`)
	if fail != "" {
		t.Fatal(fail)
	}
	html := m["html"].(string)
	for _, want := range []string{"<h1>Hi</h1>", "<em>you</em>", `<a href="https://example.com">y</a>`} {
		if !strings.Contains(html, want) {
			t.Errorf("%q not in %q", want, html)
		}
	}
	for _, bad := range []string{"<script", "javascript:"} {
		if strings.Contains(html, bad) {
			t.Errorf("%q in %q", bad, html)
		}
	}
}

func TestUnits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want float64
	}{
		{`{"value": 5, "from": "km", "to": "mi"}`, 3.106855961},
		{`{"value": 100, "from": "C", "to": "F"}`, 212},
		{`{"value": "1", "from": "GiB", "to": "MB"}`, 1073.741824},
		{`{"value": 2, "from": "pounds", "to": "kg"}`, 0.90718474},
	} {
		m, fail := run(t, "units", c.in)
		if fail != "" || m["result"] != c.want {
			t.Errorf("%s: %v %q, want %v", c.in, m, fail, c.want)
		}
	}
	if _, fail := run(t, "units", `{"value": 1, "from": "kg", "to": "km"}`); fail != "cannot convert kg (mass) to km (length)" {
		t.Errorf("kg to km: %q", fail)
	}
	if _, fail := run(t, "units", `{}`); !strings.Contains(fail, `"value"`) {
		t.Errorf("no value: %q", fail)
	}
}

func TestAddresses(t *testing.T) {
	t.Parallel()
	for _, e := range []string{"https://builtin.invalid/wordcount", "HTTPS://BUILTIN.INVALID/x", "https://builtin.invalid./hash", "http://builtin.invalid:8443/a", "https://builtin.invalid"} {
		if !Reserved(e) {
			t.Errorf("%q not reserved", e)
		}
	}
	for _, e := range []string{"", "https://example.com/builtin.invalid", "https://notbuiltin.invalid/x", "https://builtin.invalid.example.com/x"} {
		if Reserved(e) {
			t.Errorf("%q reserved", e)
		}
	}
	for _, name := range Names() {
		if _, err := Parse(Address(name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, e := range []string{"https://builtin.invalid/nope", "https://builtin.invalid/hash?x=1", "https://builtin.invalid/", "http://builtin.invalid/hash"} {
		if _, err := Parse(e); err == nil {
			t.Errorf("%q parsed", e)
		}
	}
	if out := Run("https://builtin.invalid/nope", []byte(`{}`)); !strings.Contains(out.Failure, "no built-in tool") {
		t.Errorf("unknown: %+v", out)
	}
}
