package hooks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// servedBodies are the request bodies of the served description: each
// operation's spec and the schema the description serves for it, decoded.
func servedBodies(t *testing.T) map[*bodySpec]map[string]any {
	t.Helper()
	raw, err := json.Marshal(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	out := map[*bodySpec]map[string]any{}
	var add func(b *bodySpec)
	add = func(b *bodySpec) {
		s, ok := schemas[b.name].(map[string]any)
		if !ok {
			t.Fatalf("the description has no schema %s", b.name)
		}
		out[b] = s
		for _, fd := range b.fields {
			if fd.nested != nil {
				add(fd.nested)
			}
		}
	}
	for _, op := range drfOperations() {
		if op.body == nil {
			continue
		}
		if got := op.body.Content["application/json"].Schema.Ref; got != "#/components/schemas/"+op.body.spec.name {
			t.Errorf("%s %s: its body refers to %s, not to the spec it is read with", op.method, op.path, got)
		}
		add(op.body.spec)
	}
	if len(out) < 25 {
		t.Fatalf("only %d body specs described", len(out))
	}
	return out
}

// validValue is a value the served schema of a property admits, built from
// the schema alone.
func validValue(p map[string]any) any {
	if p["$ref"] != nil || p["type"] == "object" {
		return map[string]any{}
	}
	typ := p["type"]
	if l, ok := typ.([]any); ok {
		typ = l[0]
	}
	switch typ {
	case "integer":
		return int64(p["minimum"].(float64))
	case "boolean":
		return true
	case "array":
		return []any{"x"}
	}
	if e, ok := p["enum"].([]any); ok {
		return e[0]
	}
	switch {
	case p["format"] == "date-time":
		return "2999-01-01T00:00:00Z"
	case p["format"] == "email":
		return "someone@example.com"
	case p["anyOf"] != nil: // a URL or ""
		return "https://example.com/x"
	}
	n := 1
	if m, ok := p["minLength"].(float64); ok {
		n = int(m)
	}
	return strings.Repeat("x", n)
}

// readOne reads body (JSON) through spec as a POST does and returns the form.
func readOne(spec *bodySpec, body map[string]any) *form {
	raw, _ := json.Marshal(body)
	f := &form{clean: map[string]any{}, errs: FieldErrors{}}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	_ = dec.Decode(&f.data)
	spec.read(f)
	return f
}

// The drift test: every body a route reads is described by its own spec, and
// what the served schema says of each field is what the reader enforces:
// the properties are exactly the fields read; a required one missing is an
// error and an optional one missing is not; maxLength, minLength (but for
// limits a handler checks later), minimum, maximum, maxItems and enum each
// hold at their bound and fail one past it.
func TestBodySpecsMatchTheirSchemas(t *testing.T) {
	t.Parallel()
	for spec, s := range servedBodies(t) {
		props := s["properties"].(map[string]any)
		var required []string
		for _, r := range asList(s["required"]) {
			required = append(required, r.(string))
		}
		valid := map[string]any{}
		for name, p := range props {
			valid[name] = validValue(p.(map[string]any))
		}
		// built from the schema, the whole body is read without error, and
		// every property is read
		f := readOne(spec, valid)
		if len(f.errs) > 0 {
			t.Errorf("%s: a body valid by its schema %v is refused: %v", spec.name, valid, f.errs)
		}
		for name := range props {
			if _, ok := f.clean[name]; !ok {
				t.Errorf("%s: %s is described but not read", spec.name, name)
			}
		}
		for name := range f.clean {
			if props[name] == nil {
				t.Errorf("%s: %s is read but not described", spec.name, name)
			}
		}
		late := map[string]bool{}
		for _, fd := range spec.fields {
			late[fd.name] = fd.lateLimits
		}
		// probe answers whether the body with field set to v (or left out,
		// for omit) is refused on field
		probe := func(field string, v any, omit bool) bool {
			body := map[string]any{}
			for k, x := range valid {
				body[k] = x
			}
			if omit {
				delete(body, field)
			} else {
				body[field] = v
			}
			_, refused := readOne(spec, body).errs[field]
			return refused
		}
		for name, raw := range props {
			p := raw.(map[string]any)
			where := spec.name + "." + name
			if probe(name, nil, true) != slices.Contains(required, name) {
				t.Errorf("%s: required %v in the schema, but the reader disagrees", where, slices.Contains(required, name))
			}
			bound := func(key string, ok, bad any) {
				if p[key] == nil {
					return
				}
				if probe(name, ok, false) {
					t.Errorf("%s: %.40v (at %s %v) refused", where, ok, key, p[key])
				}
				if bad != nil && !probe(name, bad, false) {
					t.Errorf("%s: %.40v (past %s %v) accepted", where, bad, key, p[key])
				}
			}
			num := func(key string) int {
				n, _ := p[key].(float64)
				return int(n)
			}
			pad := func(n int) string {
				// a value of n characters of the kind the field takes
				base, _ := validValue(p).(string)
				if len(base) > n {
					return base[:n]
				}
				return base + strings.Repeat("x", n-len(base))
			}
			if !late[name] {
				bound("maxLength", pad(num("maxLength")), pad(num("maxLength")+1))
				if num("minLength") > 1 {
					bound("minLength", pad(num("minLength")), pad(num("minLength")-1))
				}
			}
			if num("minLength") == 1 && !probe(name, "", false) {
				t.Errorf("%s: minLength 1, but blank accepted", where)
			}
			bound("minimum", num("minimum"), num("minimum")-1)
			bound("maximum", num("maximum"), num("maximum")+1)
			if p["maxItems"] != nil {
				items := make([]any, num("maxItems"))
				for i := range items {
					items[i] = "x"
				}
				bound("maxItems", items, append(items, "x"))
				if m, ok := p["items"].(map[string]any)["maxLength"].(float64); ok {
					bound("maxItems", []any{strings.Repeat("x", int(m))}, []any{strings.Repeat("x", int(m)+1)})
				}
			}
			if e, ok := p["enum"].([]any); ok {
				for _, v := range e {
					bound("enum", v, nil)
				}
				bound("enum", e[0], fmt.Sprint(e[0])+"-NOT-A-CHOICE")
			}
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// A field added to a spec is described and read, with its limits, by
// construction.
func TestBodySpecFieldAddedIsDescribed(t *testing.T) {
	t.Parallel()
	spec := *toolBody
	spec.fields = append(slices.Clone(spec.fields), textF("motto", 12).req().about("A new field."))
	s := spec.schema()
	p, ok := s.Properties.vals["motto"]
	if !ok || !slices.Contains(s.Required, "motto") || p.MaxLength == nil || *p.MaxLength != 12 || p.Description != "A new field." {
		t.Fatalf("the new field is not described as read: %+v", p)
	}
	if f := readOne(&spec, map[string]any{"name": "n", "motto": strings.Repeat("x", 13)}); f.errs["motto"] == nil {
		t.Fatalf("the new field's limit is not read: %v", f.errs)
	}
}
