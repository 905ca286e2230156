// Package builtin holds toolbase's built-in tools: a small, fixed set of tools
// that run inside the binary, deterministically and without any network
// (word count, JSON formatting, hashing, Markdown to HTML, unit conversion).
// The demo tools of `seed --demo` are built-ins, so that a first use shows a
// real result.
//
// A tool is a built-in when its api_endpoint is the reserved address
// https://builtin.invalid/<name> (Address). The .invalid top-level domain never
// resolves (RFC 6761), so such an address can never reach the network, even
// by mistake; the address passes PocketBase's URL field and the DRF routes'
// URL check like any other, which keeps one field and one set of rules.
// Only admins, superusers and toolbase itself may set one (the hooks package
// checks it on every save); creators cannot register built-ins.
//
// A built-in's use goes through the same path as a remote tool's: the charge
// is recorded PENDING, Run computes the ledger.Outcome that the endpoint's
// answer would have been, and ledger.Settle settles it (a failure, such as
// invalid JSON given to the formatter, is refunded exactly once). This
// package has no HTTP and no database: Run is a pure function of the input.
package builtin

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"toolbase/hooks/ledger"
)

// Host is the reserved host of built-in tools' addresses.
const Host = "builtin.invalid"

// A Tool is one built-in: its name (the address's path), what it does, and
// the function that runs it on the use's input_data.
type Tool struct {
	Name    string
	Summary string
	run     func(input map[string]any) (any, error)
}

var tools = map[string]Tool{}

func register(t Tool) { tools[t.Name] = t }

// Names lists the built-ins' names, sorted.
func Names() []string {
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the built-in named name.
func Get(name string) (Tool, bool) {
	t, ok := tools[name]
	return t, ok
}

// Address is the api_endpoint of the built-in named name.
func Address(name string) string { return "https://" + Host + "/" + name }

// Reserved reports whether endpoint is on the built-ins' reserved host (in
// any spelling: case, a trailing dot, a port, a path), whether or not it
// names an existing built-in.
func Reserved(endpoint string) bool {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil {
		return strings.Contains(strings.ToLower(endpoint), Host)
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".") == Host
}

// Parse returns the built-in an endpoint names, or why it names none: the
// canonical Address of an existing built-in only.
func Parse(endpoint string) (Tool, error) {
	name, ok := strings.CutPrefix(endpoint, "https://"+Host+"/")
	if !ok || name == "" || strings.ContainsAny(name, "/?#") {
		return Tool{}, fmt.Errorf("a built-in tool's address is https://%s/<name>, with <name> one of %s", Host, strings.Join(Names(), ", "))
	}
	t, ok := tools[name]
	if !ok {
		return Tool{}, fmt.Errorf("there is no built-in tool named %q: the built-ins are %s", name, strings.Join(Names(), ", "))
	}
	return t, nil
}

// maxOutputBytes bounds a built-in's answer, as a remote tool's is bounded.
const maxOutputBytes = 1 << 20

// Run runs the built-in an endpoint names on a use's input (input_data as
// JSON) and returns the outcome to settle the use with: the output, or a
// failure said in words. An endpoint that names no built-in fails.
func Run(endpoint string, input []byte) ledger.Outcome {
	start := time.Now()
	t, err := Parse(endpoint)
	if err != nil {
		return ledger.Outcome{Failure: err.Error()}
	}
	var in map[string]any
	if len(input) > 0 {
		if err := json.Unmarshal(input, &in); err != nil {
			return ledger.Outcome{Failure: "input_data is not a JSON object"}
		}
	}
	if in == nil {
		in = map[string]any{}
	}
	out, err := t.run(in)
	if err != nil {
		return ledger.Outcome{Elapsed: time.Since(start), Failure: err.Error()}
	}
	raw, err := json.Marshal(out)
	switch {
	case err != nil:
		return ledger.Outcome{Elapsed: time.Since(start), Failure: "the built-in tool's answer could not be encoded"}
	case len(raw) > maxOutputBytes:
		return ledger.Outcome{Elapsed: time.Since(start), Failure: "the built-in tool's answer exceeds 1 MiB"}
	}
	return ledger.Outcome{Output: raw, Elapsed: time.Since(start)}
}

// text reads a string field of the input: ok false when it is absent, an
// error when it is there but not a string.
func text(in map[string]any, field string) (s string, ok bool, err error) {
	v, present := in[field]
	if !present || v == nil {
		return "", false, nil
	}
	s, isString := v.(string)
	if !isString {
		return "", false, fmt.Errorf("input_data.%s must be a string", field)
	}
	return s, true, nil
}
