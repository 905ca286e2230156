package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// ordered is a JSON object that keeps its keys in the order they were set.
type ordered[V any] struct {
	keys []string
	vals map[string]V
}

func (o *ordered[V]) set(k string, v V) {
	if o.vals == nil {
		o.vals = map[string]V{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *ordered[V]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type oaDocument struct {
	OpenAPI           string                           `json:"openapi"`
	Info              oaInfo                           `json:"info"`
	JSONSchemaDialect string                           `json:"jsonSchemaDialect"`
	Servers           []oaServer                       `json:"servers"`
	Security          []map[string][]string            `json:"security"`
	Tags              []oaTag                          `json:"tags"`
	Paths             *ordered[*ordered[*oaOperation]] `json:"paths"`
	Components        oaComponents                     `json:"components"`
}

type oaInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
}

type oaServer struct {
	URL         string `json:"url"`
	Description string `json:"description"`
}

type oaTag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type oaComponents struct {
	Schemas         *ordered[*schema]           `json:"schemas"`
	Responses       *ordered[*oaResponse]       `json:"responses"`
	Parameters      *ordered[*oaParameter]      `json:"parameters"`
	SecuritySchemes *ordered[*oaSecurityScheme] `json:"securitySchemes"`
}

type oaSecurityScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme,omitempty"`
	BearerFormat string `json:"bearerFormat,omitempty"`
	In           string `json:"in,omitempty"`
	Name         string `json:"name,omitempty"`
	Description  string `json:"description"`
}

type oaOperation struct {
	Tags        []string               `json:"tags"`
	Summary     string                 `json:"summary"`
	Description string                 `json:"description,omitempty"`
	OperationID string                 `json:"operationId"`
	Security    *[]map[string][]string `json:"security,omitempty"`
	Parameters  []*oaParameter         `json:"parameters,omitempty"`
	RequestBody *oaRequestBody         `json:"requestBody,omitempty"`
	Responses   *ordered[*oaResponse]  `json:"responses"`
}

type oaParameter struct {
	Ref         string  `json:"$ref,omitempty"`
	Name        string  `json:"name,omitempty"`
	In          string  `json:"in,omitempty"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *schema `json:"schema,omitempty"`
}

type oaRequestBody struct {
	Description string                 `json:"description,omitempty"`
	Required    bool                   `json:"required"`
	Content     map[string]oaMediaType `json:"content"`

	spec *bodySpec // what the route reads the body with (bodyOf)
}

type oaMediaType struct {
	Schema  *schema `json:"schema"`
	Example any     `json:"example,omitempty"`
}

type oaResponse struct {
	Ref         string                 `json:"$ref,omitempty"` // or the rest
	Description string                 `json:"description,omitempty"`
	Headers     *ordered[*oaHeader]    `json:"headers,omitempty"`
	Content     map[string]oaMediaType `json:"content,omitempty"`
}

type oaHeader struct {
	Description string  `json:"description"`
	Schema      *schema `json:"schema"`
}

// schema is a JSON Schema (2020-12, OpenAPI 3.1's dialect), the keywords used here.
type schema struct {
	Ref                  string            `json:"$ref,omitempty"`
	Type                 any               `json:"type,omitempty"` // "string", or ["string", "null"]
	Format               string            `json:"format,omitempty"`
	Description          string            `json:"description,omitempty"`
	Enum                 []string          `json:"enum,omitempty"`
	Pattern              string            `json:"pattern,omitempty"`
	MinLength            *int64            `json:"minLength,omitempty"`
	MaxLength            *int64            `json:"maxLength,omitempty"`
	Minimum              *int64            `json:"minimum,omitempty"`
	Maximum              *int64            `json:"maximum,omitempty"`
	MaxItems             *int64            `json:"maxItems,omitempty"`
	Default              any               `json:"default,omitempty"`
	Items                *schema           `json:"items,omitempty"`
	Properties           *ordered[*schema] `json:"properties,omitempty"`
	Required             []string          `json:"required,omitempty"`
	AdditionalProperties any               `json:"additionalProperties,omitempty"`
	OneOf                []*schema         `json:"oneOf,omitempty"`
	AnyOf                []*schema         `json:"anyOf,omitempty"`
	Examples             []any             `json:"examples,omitempty"`

	anyValue bool // any JSON value: viewOf takes it for a field typed any
}

// ---------------------------------------------------------------------------
// Schema builders.

func str(desc string) *schema     { return &schema{Type: "string", Description: desc} }
func integer(desc string) *schema { return &schema{Type: "integer", Description: desc} }
func boolean(desc string) *schema { return &schema{Type: "boolean", Description: desc} }
func ref(name string) *schema     { return &schema{Ref: "#/components/schemas/" + name} }

// d is a description to add to a field whose type viewOf reads from Go.
func d(desc string) *schema { return &schema{Description: desc} }

// anyJSON is any JSON value.
func anyJSON(desc string) *schema { return &schema{Description: desc, anyValue: true} }

func arrayOf(items *schema, desc string) *schema {
	return &schema{Type: "array", Items: items, Description: desc}
}

func oneOf(desc string, alts ...*schema) *schema { return &schema{OneOf: alts, Description: desc} }

func dateTime(desc string) *schema { return str(desc).format("date-time") }

func enum(values []string, desc string) *schema {
	return &schema{Type: "string", Enum: values, Description: desc}
}

func (s *schema) format(f string) *schema { s.Format = f; return s }

// uriOrEmpty is an optional URL field: an absolute URI, or "" when unset.
func (s *schema) uriOrEmpty() *schema {
	zero := int64(0)
	s.AnyOf = []*schema{{Format: "uri"}, {MaxLength: &zero}}
	return s
}
func (s *schema) pattern(p string) *schema { s.Pattern = p; return s }
func (s *schema) def(v any) *schema        { s.Default = v; return s }
func (s *schema) example(v any) *schema    { s.Examples = append(s.Examples, v); return s }

// chars bounds a string's length (min 0: no lower bound).
func (s *schema) chars(min, max int64) *schema {
	if min > 0 {
		s.MinLength = &min
	}
	s.MaxLength = &max
	return s
}

// within bounds a number.
func (s *schema) within(min, max int64) *schema {
	s.Minimum, s.Maximum = &min, &max
	return s
}

func (s *schema) atMostItems(n int64) *schema { s.MaxItems = &n; return s }

// null lets the value also be null.
func (s *schema) null() *schema {
	if t, ok := s.Type.(string); ok {
		s.Type = []string{t, "null"}
	}
	return s
}

// field is one property of an object schema.
type oaField struct {
	name     string
	s        *schema
	required bool
}

func opt(name string, s *schema) oaField { return oaField{name, s, false} }
func req(name string, s *schema) oaField { return oaField{name, s, true} }

func object(desc string, fields ...oaField) *schema {
	s := &schema{Type: "object", Description: desc, Properties: &ordered[*schema]{}}
	for _, f := range fields {
		s.Properties.set(f.name, f.s)
		if f.required {
			s.Required = append(s.Required, f.name)
		}
	}
	return s
}

// viewOf describes a representation from the Go struct its handlers answer
// with: every JSON field, in order, typed from its Go type, all of them
// always present. more describes fields further: a schema without a type
// only adds to the Go type's (a description, an enum, a format); one with a
// type or a $ref replaces it (its type must agree with Go's). Fields typed
// any (nullable ids and times, JSON data) must be in more. viewOf panics on
// a field of more that the struct lacks, or an any field that more lacks:
// the description cannot drift from the code unnoticed (the tests build it).
func viewOf(v any, desc string, more map[string]*schema) *schema {
	t := reflect.TypeOf(v)
	s := &schema{Type: "object", Description: desc, Properties: &ordered[*schema]{}}
	used := map[string]bool{}
	addFields(t, s, more, used)
	for name := range more {
		if !used[name] {
			panic(fmt.Sprintf("openapi: %s has no JSON field %q", t, name))
		}
	}
	return s
}

func addFields(t reflect.Type, s *schema, more map[string]*schema, used map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			addFields(f.Type, s, more, used)
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		prop := goSchema(f.Type)
		if m, ok := more[name]; ok {
			used[name] = true
			prop = mergeSchema(t, name, prop, m)
		} else if prop == nil {
			panic(fmt.Sprintf("openapi: describe %s.%s (typed %s)", t, name, f.Type))
		}
		s.Properties.set(name, prop)
		s.Required = append(s.Required, name)
	}
}

// goSchema is the schema of a Go type as encoding/json writes it; nil for any.
func goSchema(t reflect.Type) *schema {
	switch t.Kind() {
	case reflect.String:
		return &schema{Type: "string"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return &schema{Type: "integer"}
	case reflect.Float64:
		return &schema{Type: "number"}
	case reflect.Bool:
		return &schema{Type: "boolean"}
	case reflect.Slice:
		return &schema{Type: "array", Items: goSchema(t.Elem())}
	case reflect.Pointer:
		return goSchema(t.Elem()).null()
	case reflect.Struct:
		// nested representations are described by their own viewOf and
		// referred to; this is only Go's shape, to check the reference against
		return &schema{Type: "object"}
	}
	return nil
}

func primaryType(s *schema) string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []string:
		return t[0]
	}
	return ""
}

func mergeSchema(t reflect.Type, name string, base, m *schema) *schema {
	if m.Type == nil && m.Ref == "" && m.OneOf == nil && !m.anyValue {
		if base == nil {
			panic(fmt.Sprintf("openapi: %s.%s is typed any: give its schema a type", t, name))
		}
		out := *base
		if m.Description != "" {
			out.Description = m.Description
		}
		if m.Format != "" {
			out.Format = m.Format
		}
		if m.AnyOf != nil {
			out.AnyOf = m.AnyOf
		}
		if m.Enum != nil {
			out.Enum = m.Enum
		}
		if m.Examples != nil {
			out.Examples = m.Examples
		}
		return &out
	}
	if base != nil && m.Type != nil && primaryType(m) != primaryType(base) {
		panic(fmt.Sprintf("openapi: %s.%s is a %s in Go, not a %s", t, name, primaryType(base), primaryType(m)))
	}
	return m
}

// paginated is DRF's page of items.
func paginated(item, desc string) *schema {
	return object(desc,
		req("count", integer("How many items the whole list has.")),
		req("next", str("Absolute URL of the next page (keeping the other query parameters), or null on the last page.").format("uri").null()),
		req("previous", str("Absolute URL of the previous page, or null on the first page.").format("uri").null()),
		req("results", arrayOf(ref(item), fmt.Sprintf("At most `page_size` items (default %d, at most %d).", defaultPageSize, maxPageSize))),
	)
}

// schema describes the body the spec reads: each field's type, limits,
// choices, pattern and default as read enforces them.
func (b *bodySpec) schema() *schema {
	fields := make([]oaField, 0, len(b.fields))
	for _, fd := range b.fields {
		fields = append(fields, oaField{fd.name, fd.schema(), fd.required})
	}
	return object(b.desc, fields...)
}

func (fd bodyField) schema() *schema {
	var s *schema
	switch fd.kind {
	case textField, secretField:
		s = str(fd.desc)
		if fd.required || fd.notBlank || fd.min > 0 {
			min := max(fd.min, 1)
			s.MinLength = &min
		}
		if fd.max >= 0 {
			s.MaxLength = &fd.max
		}
		if fd.pattern != nil {
			s.pattern(fd.pattern.String())
		}
	case integerField:
		s = integer(fd.desc).within(fd.min, fd.max)
	case choiceField:
		s = enum(fd.choices, fd.desc)
	case linkField:
		s = str(fd.desc).uriOrEmpty().chars(0, fd.max)
	case stringListField:
		s = arrayOf(str("").chars(0, fd.itemMax), fd.desc).atMostItems(fd.max)
	case objectField:
		if fd.nested != nil {
			return ref(fd.nested.name)
		}
		s = &schema{Type: "object", Description: fd.desc}
	case boolField:
		s = boolean(fd.desc)
	case datetimeField:
		s = dateTime(fd.desc).null()
	case idField:
		s = str(fd.desc).null()
	}
	if fd.format != "" {
		s.format(fd.format)
	}
	if fd.def != nil {
		s.def(fd.def)
	}
	return s
}
