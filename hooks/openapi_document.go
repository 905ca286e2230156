package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// The seed API's OpenAPI 3.1 description, served at GET /api/docs/openapi.json
// and rendered by pb_public/docs/.
//
// It is built in Go rather than kept as a JSON file, so that it says what the
// code does: the representations' fields are read from the structs the
// handlers answer with (viewOf), and the limits, enumerations and messages
// are the constants the handlers use. Its test checks that it names every
// route registered with route() and no other.

// openAPIPath is where the description is served, under seedPrefix.
const openAPIPath = "/docs/openapi.json"

// bindDocsRoutes serves the description on the public group and records the
// route with the seed routes (it documents itself). The path has no trailing
// slash, so route(), whose paths end in "/{$}", cannot register it; the other
// methods answer DRF's 405 as route()'s do.
func bindDocsRoutes(public group) {
	public.GET(openAPIPath, serveOpenAPI)
	notAllowed := func(e *core.RequestEvent) error {
		e.Response.Header().Set("Allow", "GET, OPTIONS")
		return errDetail(http.StatusMethodNotAllowed, `Method "`+e.Request.Method+`" not allowed.`)
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		public.Route(method, openAPIPath, notAllowed)
	}
	public.routes.add(seedPrefix+openAPIPath, []string{http.MethodGet})
}

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	return json.Marshal(OpenAPI())
})

// serveOpenAPI is GET /api/docs/openapi.json (public).
func serveOpenAPI(e *core.RequestEvent) error {
	body, err := openAPIJSON()
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-cache")
	return e.Blob(http.StatusOK, "application/json; charset=utf-8", body)
}

// ---------------------------------------------------------------------------
// The OpenAPI 3.1 objects used here.

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

// ---------------------------------------------------------------------------
// Operations.

// Who may call an operation.
type access int

const (
	authed     access = iota // a user's token or API key
	tokenOnly                // a user's token; API keys are refused (403)
	public                   // anyone; credentials are not needed
	optionally               // anyone; a credential may show more
)

// opSpec is one method of one route, with its path as route() has it.
type opSpec struct {
	method, path string
	id, tag      string
	summary      string
	who          string // the roles that may call it, in words
	desc         string
	access       access
	paginated    bool           // takes ?page= and ?page_size=
	pathParam    string         // description of the path's parameter
	params       []*oaParameter // query and header parameters
	body         *oaRequestBody
	responses    []response
}

type response struct {
	status int
	r      *oaResponse
}

func withJSON(status int, desc string, s *schema, example any) response {
	return response{status, &oaResponse{Description: desc, Content: map[string]oaMediaType{
		"application/json": {Schema: s, Example: example},
	}}}
}

// ok is a success answer with a body.
func ok(status int, desc string, s *schema) response { return withJSON(status, desc, s, nil) }

// noContent is a 204.
func noContent(desc string) response {
	return response{http.StatusNoContent, &oaResponse{Description: desc}}
}

// header adds a response header.
func (r response) header(name, desc string, s *schema) response {
	if r.r.Headers == nil {
		r.r.Headers = &ordered[*oaHeader]{}
	}
	r.r.Headers.set(name, &oaHeader{Description: desc, Schema: s})
	return r
}

func detailOf(msg string) map[string]string { return map[string]string{"detail": msg} }

// badRequest is a 400: field errors, or {"detail"} for an unreadable body.
func badRequest(desc string) response {
	return withJSON(http.StatusBadRequest, desc, ref("ValidationError"), nil)
}

func notFoundWhen(desc string) response {
	return withJSON(http.StatusNotFound, desc, ref("Detail"), detailOf(msgNotFound))
}

func forbiddenWhen(desc string) response {
	return withJSON(http.StatusForbidden, desc, ref("Detail"), detailOf(msgForbidden))
}

func conflict(desc string, example string) response {
	return withJSON(http.StatusConflict, desc, ref("Detail"), detailOf(example))
}

func tooLarge(limit int64) response {
	return withJSON(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("The body exceeds %d bytes (%d KiB).", limit, limit>>10), ref("Detail"),
		detailOf(fmt.Sprintf("Request body exceeds %d bytes.", limit)))
}

var unsupportedMedia = withJSON(http.StatusUnsupportedMediaType,
	"The body's Content-Type is not JSON, form or multipart data.", ref("Detail"),
	detailOf(`Unsupported media type "text/plain" in request.`))

const (
	unauthorizedDesc = "No credential, or a bad one: `{\"detail\": \"" + msgNotAuthenticated + "\"}` without one; " +
		"`{\"detail\": \"" + msgTokenNotValid + "\", \"code\": \"token_not_valid\"}` for a bad or expired token; " +
		"`{\"detail\": \"" + msgInvalidKey + "\"}` for an unknown, inactive, expired or deleted API key."
	forbiddenAlways = "Also for a PocketBase superuser's token (superusers use the records API) and for an API key " +
		"scoped to one tool outside what that scope allows."
)

var unauthorized = withJSON(http.StatusUnauthorized, unauthorizedDesc, ref("AuthError"), detailOf(msgNotAuthenticated)).
	header("WWW-Authenticate", "`Bearer realm=\"api\"`, or `Api-Key realm=\"api\"` for a refused API key.", str(""))

// sharedResponses are the answers many operations give alike, referred to
// from components/responses.
var sharedResponses = []struct {
	name string
	r    response
}{
	{"Unauthorized", unauthorized},
	{"Forbidden", forbiddenWhen(forbiddenAlways)},
	{"PayloadTooLarge", tooLarge(maxBodyBytes)},
	{"UnsupportedMediaType", unsupportedMedia},
}

func sharedResponse(name string) *oaResponse {
	return &oaResponse{Ref: "#/components/responses/" + name}
}

// bodyOf is a JSON request body; forms and multipart data carrying the same
// flat fields are read too.
func bodyOf(name string, required bool, desc string) *oaRequestBody {
	return &oaRequestBody{Description: desc, Required: required, Content: map[string]oaMediaType{
		"application/json": {Schema: ref(name), Example: bodyExamples[name]},
	}}
}

// bodyExamples are example request bodies, by schema name. The tests send
// them, so they stay valid.
var bodyExamples = map[string]any{
	"TokenObtainRequest":  map[string]any{"email": "alice@example.com", "password": "correct-horse-42"},
	"TokenRefreshRequest": map[string]any{"refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.…"},
	"TokenVerifyRequest":  map[string]any{"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.…"},
	"RegisterRequest": map[string]any{"email": "alice@example.com", "username": "alice", "password": "correct-horse-42",
		"password_confirm": "correct-horse-42", "first_name": "Alice", "last_name": "Liddell",
		"profile": map[string]any{"website": "https://alice.example", "skills": []string{"writing"}}},
	"MeUpdate":     map[string]any{"username": "alice", "bio": "Writes things.", "profile": map[string]any{"location": "Oxford"}},
	"UserUpdate":   map[string]any{"email": "alice@example.com", "username": "alice", "first_name": "Alice", "company_name": "Looking Glass Ltd"},
	"RoleChange":   map[string]any{"role": c.RoleToolCreator},
	"PointsChange": map[string]any{"points": 100, "reason": "welcome bonus"},
	"ToolWrite": map[string]any{"name": "Summarizer", "description": "Summarizes a text.", "category": c.CategoryAI, "status": c.StatusDraft,
		"points_cost": 10, "tags": []string{"text", "nlp"}, "version": "1.0.0"},
	"UseRequest":       map[string]any{"input_data": map[string]any{"text": "hello"}},
	"APIKeyCreate":     map[string]any{"key_name": "batch job", "daily_limit": 100},
	"APIKeyUpdate":     map[string]any{"key_name": "nightly batch", "is_active": true},
	"APIKeyRegenerate": map[string]any{"grace_seconds": 3600},
	"FeedbackSubmit":   map[string]any{"rating": 5, "comment": "Fast and accurate.", "is_public": true},
	"FeedbackUpdate":   map[string]any{"rating": 4, "comment": "Accurate, a little slow on long texts."},
	"PayoutCreate":     map[string]any{"amount": 500, "method": "bank transfer"},
	"PayoutApprove":    map[string]any{"note": "Checked."},
	"PayoutReject":     map[string]any{"note": "The bank details are missing."},
	"PayoutMarkPaid":   map[string]any{"reference": "TX-2025-0042"},
	"RefundCreate":     map[string]any{"usage": "k2x9q3w8e7r6t5y", "reason": "The tool answered nothing useful."},
	"RefundApprove":    map[string]any{"note": "Sorry about that."},
	"RefundReject":     map[string]any{"note": "The tool answered as documented."},
	"TicketCreate":     map[string]any{"subject": "My API key is refused", "message": "It answers 401 since this morning.", "priority": c.PriorityHigh},
	"TicketUpdate":     map[string]any{"subject": "My API key is refused", "status": c.TicketClosed},
	"MessageCreate":    map[string]any{"body": "Could you send the time of a refused request?"},
	"SitePageWrite": map[string]any{"slug": "about", "title": "About us", "body": "<p>A marketplace of paid tools.</p>",
		"kind": c.PageKindPage, "published": true},
}

func queryParam(name string, s *schema, desc string) *oaParameter {
	return &oaParameter{Name: name, In: "query", Description: desc, Schema: s}
}

func paramRef(name string) *oaParameter {
	return &oaParameter{Ref: "#/components/parameters/" + name}
}

// security requirements
var (
	bearerOrKey = []map[string][]string{{"bearerAuth": {}}, {"apiKeyAuthorization": {}}, {"apiKeyHeader": {}}}
	bearerOnly  = []map[string][]string{{"bearerAuth": {}}}
	anonymous   = []map[string][]string{}
	anyone      = append([]map[string][]string{{}}, bearerOrKey...)
)

// operation turns spec into an OpenAPI operation, adding what every route of
// its kind answers: 401 and 403 for authenticated routes, the page
// parameters and the 404 of a page past the end for paginated lists, the 413
// and 415 of a route that reads a body.
func (spec opSpec) operation() *oaOperation {
	op := &oaOperation{Tags: []string{spec.tag}, Summary: spec.summary, OperationID: spec.id, Responses: &ordered[*oaResponse]{}}
	var desc []string
	if spec.who != "" {
		desc = append(desc, "**Who:** "+spec.who+".")
	}
	if spec.desc != "" {
		desc = append(desc, spec.desc)
	}
	op.Description = strings.Join(desc, "\n\n")
	switch spec.access {
	case public:
		op.Security = &anonymous
	case optionally:
		op.Security = &anyone
	case tokenOnly:
		op.Security = &bearerOnly
	}

	for _, name := range pathParams(spec.path) {
		pdesc := spec.pathParam
		if pdesc == "" {
			pdesc = "A record id."
		}
		op.Parameters = append(op.Parameters, &oaParameter{Name: name, In: "path", Required: true, Description: pdesc, Schema: str("")})
	}
	if spec.paginated {
		op.Parameters = append(op.Parameters, paramRef("page"), paramRef("page_size"))
	}
	op.Parameters = append(op.Parameters, spec.params...)
	op.RequestBody = spec.body

	byStatus := map[int]*oaResponse{}
	for _, r := range spec.responses {
		if _, dup := byStatus[r.status]; dup {
			panic(fmt.Sprintf("openapi: %s %s: two %d responses", spec.method, spec.path, r.status))
		}
		byStatus[r.status] = r.r
	}
	if spec.paginated {
		page := "`page` past the last page (or not a number): `{\"detail\": \"Invalid page.\"}`."
		if r, has := byStatus[http.StatusNotFound]; has {
			r.Description += " Also for a " + page
		} else {
			byStatus[http.StatusNotFound] = withJSON(http.StatusNotFound, "A "+page, ref("Detail"), detailOf("Invalid page.")).r
		}
	}
	if spec.body != nil {
		if _, has := byStatus[http.StatusRequestEntityTooLarge]; !has {
			byStatus[http.StatusRequestEntityTooLarge] = sharedResponse("PayloadTooLarge")
		}
		byStatus[http.StatusUnsupportedMediaType] = sharedResponse("UnsupportedMediaType")
		if _, has := byStatus[http.StatusBadRequest]; !has {
			panic(fmt.Sprintf("openapi: %s %s reads a body: say what its 400 is", spec.method, spec.path))
		}
	}
	if spec.access != public {
		r401 := *unauthorized.r
		switch r, has := byStatus[http.StatusUnauthorized]; {
		case has:
			r401.Description = r.Description + " " + r401.Description
			byStatus[http.StatusUnauthorized] = &r401
		case spec.access == optionally:
			r401.Description = "Only for an API key sent and refused: `{\"detail\": \"" + msgInvalidKey + "\"}`. The route needs no credential, " +
				"and a bad or expired bearer token is ignored here (the answer is the anonymous one)."
			r401.Content = map[string]oaMediaType{"application/json": {Schema: ref("Detail"), Example: detailOf(msgInvalidKey)}}
			byStatus[http.StatusUnauthorized] = &r401
		default:
			byStatus[http.StatusUnauthorized] = sharedResponse("Unauthorized")
		}
		switch r, has := byStatus[http.StatusForbidden]; {
		case has:
			r.Description += " " + forbiddenAlways
		case spec.access == optionally:
			byStatus[http.StatusForbidden] = forbiddenWhen("Only for an API key scoped to one tool: it may not be used here.").r
		default:
			byStatus[http.StatusForbidden] = sharedResponse("Forbidden")
		}
	}
	statuses := make([]int, 0, len(byStatus))
	for s := range byStatus {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	for _, s := range statuses {
		op.Responses.set(strconv.Itoa(s), byStatus[s])
	}
	return op
}

// pathParams returns the {name} parameters of path, in order.
func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// The document.

// Tags, one per area.
const (
	tagTokens   = "Tokens"
	tagUsers    = "Users"
	tagPoints   = "Points and ledger"
	tagTools    = "Tools"
	tagUse      = "Using tools"
	tagUsage    = "Usage"
	tagKeys     = "API keys"
	tagFeedback = "Feedback"
	tagStats    = "Statistics"
	tagPayouts  = "Payouts"
	tagRefunds  = "Refunds"
	tagSupport  = "Support"
	tagContent  = "Site content"
	tagAudit    = "Audit log"
	tagOpenAPI  = "API description"
)

var openAPITags = []oaTag{
	{tagTokens, "SimpleJWT's token endpoints. `access` is a PocketBase auth token of the user, so it also works on the records API, realtime and the SDKs; `refresh` is toolbase's own JWT, usable once."},
	{tagUsers, "Registration, profiles and user management. Who may see or change which user is the `users` collection's API rules, the same ones the records API applies."},
	{tagPoints, "Admins grant and deduct points; every balance change is a row of the append-only ledger (`point_transactions`)."},
	{tagTools, "The tool catalogue. Who sees or changes a tool is the `tools` collection's API rules: clients see ACTIVE tools, creators also their own in any status, admins all."},
	{tagUse, "Spending points on a tool, and the signing secret of a remote tool's calls."},
	{tagUsage, "Usage history, read-only: own usage; a creator also the usage of its tools; admins all. Usage rows are written only by the use route."},
	{tagKeys, "API keys let a script call the API as its owner. Keys are managed with a token: an API key never manages keys."},
	{tagFeedback, "Reviews of tools: a rating of 1–5 and a comment, at most one per user and tool, by a user who used the tool successfully. Who sees a review is the `tool_feedback` collection's API rules: public reviews every user, private ones their author, the tool's creator and admins. Every write recounts the tool's `average_rating` and `rating_count` in its own transaction."},
	{tagStats, "Usage statistics over a range of days (`?from=`, `?to=`, UTC, default the last 30 days) in buckets of `?interval=` (day, week from Monday, month); every bucket is listed, empty ones with zeros. Refunded uses (approved refunds, failed remote calls) are left out, as they are of a tool's lifetime counters."},
	{tagPayouts, "A creator asks to be paid part of its pending revenue; an admin approves, rejects or marks it paid. Only PAID moves money, at most once."},
	{tagRefunds, "The payer of a usage asks for its points back; an admin approves (the money moves back, once) or rejects."},
	{tagSupport, "Support tickets and their messages. Admins see every ticket, assign, change status and priority, and write internal notes the requester never sees."},
	{tagContent, "Site pages and announcements: public once published, written by admins."},
	{tagAudit, "One append-only row per admin action, written in the action's transaction."},
	{tagOpenAPI, "This description."},
}

const openAPIIntro = `The REST API of the Django REST Framework + SimpleJWT platform that toolbase replaces ("the seed API"), route for route: clients written for it work unchanged. PocketBase's own API (` + "`/api/collections/{name}/records`" + `, realtime, batch, the dashboard at ` + "`/_/`" + `) is documented by PocketBase and not here.

**Authentication.** ` + "`Authorization: Bearer <access>`" + ` with an access token from ` + "`POST /api/token/`" + `, or an API key: ` + "`Authorization: Api-Key <key>`" + ` or ` + "`X-API-Key: <key>`" + `. Send one credential: a key together with another credential is 400 ` + "`{\"detail\": \"" + msgTwoCreds + "\"}`" + `. A key refused (unknown, inactive, expired, deleted) is 401 on any route under ` + "`/api/`" + `, public ones included, and a key scoped to one tool is 403 on every route but that tool's use, detail and statistics and the usage reads. Routes are authenticated unless they say otherwise.

**Errors** are Django REST Framework's:
- ` + "`{\"detail\": \"...\"}`" + ` for 401, 403, 404, 405, 409, 413, 415, 422 and 429 (401 for a bad token adds ` + "`\"code\": \"token_not_valid\"`" + `);
- 400 with field errors ` + "`{\"field\": [\"message\", ...]}`" + ` and ` + "`non_field_errors`" + ` for invalid input; 400 ` + "`{\"detail\": \"JSON parse error - the body is not valid JSON.\"}`" + ` for malformed JSON;
- 401 without or with a bad credential; 403 when authenticated but not allowed; 404 for an object that does not exist or that the caller may not see (no existence leak);
- any method a route lacks: 405 ` + "`{\"detail\": \"Method \\\"X\\\" not allowed.\"}`" + ` with an ` + "`Allow`" + ` header. Role-restricted routes answer 403 before 405.

**Bodies** are JSON objects (flat bodies may also be sent as ` + "`application/x-www-form-urlencoded`" + ` or ` + "`multipart/form-data`" + `), at most 256 KiB (72 KiB for a use): more is 413, another Content-Type 415. Read-only and unknown fields are ignored; a wrong type is 400. PUT needs the required fields, PATCH takes any subset.

**Lists.** Model lists are paginated: ` + "`{count, next, previous, results}`" + `, ` + "`?page=N`" + ` (or ` + "`last`" + `) and ` + "`?page_size=`" + ` (default 20, at most 100), newest first unless said otherwise. The seed's extra list actions (` + "`search/`, `my_tools/`, `my_usage/`, `clients/`, `tool-creators/`, a tool's `feedback/`, a ticket's `messages/`" + `) return bare JSON arrays of at most 1000 items.

**Values.** Times are RFC 3339 UTC with milliseconds (` + "`2025-01-01T10:00:00.000Z`" + `); ` + "`execution_time`" + ` is a DRF duration (` + "`\"00:00:00.100000\"`" + `). Ids are PocketBase record ids. Amounts of points are whole numbers.

A readable rendering of this description is served at [/docs/](/docs/).`

// OpenAPI returns the description of the seed API.
func OpenAPI() *oaDocument {
	doc := &oaDocument{
		OpenAPI:           "3.1.0",
		JSONSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
		Info: oaInfo{
			Title:       "toolbase seed API",
			Version:     "1.0.0",
			Summary:     "The Django REST Framework-style API of the toolbase marketplace.",
			Description: openAPIIntro,
		},
		Servers:  []oaServer{{URL: "/", Description: "This server."}},
		Security: bearerOrKey,
		Tags:     openAPITags,
		Paths:    &ordered[*ordered[*oaOperation]]{},
		Components: oaComponents{
			Schemas:         openAPISchemas(),
			Responses:       &ordered[*oaResponse]{},
			Parameters:      &ordered[*oaParameter]{},
			SecuritySchemes: &ordered[*oaSecurityScheme]{},
		},
	}
	for _, sr := range sharedResponses {
		doc.Components.Responses.set(sr.name, sr.r.r)
	}
	doc.Components.Parameters.set("page", queryParam("page", &schema{OneOf: []*schema{
		integer("").within(1, 1<<31-1), enum([]string{"last"}, ""),
	}}, "Page number, from 1, or `last`. A page past the end is 404."))
	doc.Components.Parameters.set("page_size", queryParam("page_size", integer("").within(1, maxPageSize).def(defaultPageSize),
		fmt.Sprintf("Items per page: default %d, at most %d (more is taken as %d).", defaultPageSize, maxPageSize, maxPageSize)))
	doc.Components.SecuritySchemes.set("bearerAuth", &oaSecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT",
		Description: "`Authorization: Bearer <access>`: the access token of `POST /api/token/` (a PocketBase auth token of the user; " +
			"lifetime `TOOLBASE_ACCESS_TOKEN_TTL`, default 60 minutes)."})
	doc.Components.SecuritySchemes.set("apiKeyAuthorization", &oaSecurityScheme{Type: "apiKey", In: "header", Name: "Authorization",
		Description: "`Authorization: Api-Key tk_…` (the scheme name is case-insensitive): an API key of `/api/tools/api-keys/`. " +
			"The request runs as the key's owner, with the owner's role. A key scoped to a tool may only use that tool, read it " +
			"and its statistics (as far as its owner may), and read its usage; anything else is 403. A key never manages keys."})
	doc.Components.SecuritySchemes.set("apiKeyHeader", &oaSecurityScheme{Type: "apiKey", In: "header", Name: "X-API-Key",
		Description: "`X-API-Key: tk_…`: the same API key, in its own header."})

	for _, spec := range seedOperations() {
		if spec.method == http.MethodPatch && spec.body != nil {
			spec.body = patchedBody(doc.Components.Schemas, spec.body)
		}
		path := seedPrefix + spec.path
		item, ok := doc.Paths.vals[path]
		if !ok {
			item = &ordered[*oaOperation]{}
			doc.Paths.set(path, item)
		}
		method := strings.ToLower(spec.method)
		if _, dup := item.vals[method]; dup {
			panic("openapi: " + spec.method + " " + path + " described twice")
		}
		item.set(method, spec.operation())
	}
	return doc
}

// patchedBody is a PATCH's body: the PUT body's schema without required
// fields, as "Patched<Name>" (DRF-spectacular's name for it).
func patchedBody(schemas *ordered[*schema], body *oaRequestBody) *oaRequestBody {
	mt := body.Content["application/json"]
	name := strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
	patched := "Patched" + name
	if _, ok := schemas.vals[patched]; !ok {
		cp := *schemas.vals[name]
		cp.Required = nil
		cp.Description = "Any subset of the fields of " + name + "; the others keep their values."
		schemas.set(patched, &cp)
	}
	out := *body
	out.Required = false // an empty PATCH changes nothing
	out.Content = map[string]oaMediaType{"application/json": {Schema: ref(patched), Example: mt.Example}}
	return &out
}

// ---------------------------------------------------------------------------
// Components: the representations and bodies.

func openAPISchemas() *ordered[*schema] {
	s := &ordered[*schema]{}
	created := dateTime("When it was created.")
	updated := dateTime("When it last changed.")
	nullID := func(what string) *schema { return str(what).null() }
	nullTime := func(what string) *schema { return dateTime(what).null() }

	// errors
	s.set("Detail", object("DRF's error body.", req("detail", str("What went wrong, in words."))))
	s.set("TokenError", viewOf(tokenError{}, "A refused token (SimpleJWT's body).", map[string]*schema{
		"detail": d("`" + msgTokenInvalid + "`."), "code": enum([]string{"token_not_valid"}, ""),
	}))
	fieldErrors := object("DRF's validation errors: each invalid field with its messages; `non_field_errors` for errors of the whole body. "+
		"Nested objects' errors are nested (`{\"profile\": {\"website\": [\"Enter a valid URL.\"]}}`).",
		opt("non_field_errors", arrayOf(str(""), "Errors of the body as a whole.")))
	fieldErrors.AdditionalProperties = oneOf("", arrayOf(str(""), ""), &schema{Type: "object", AdditionalProperties: arrayOf(str(""), "")})
	fieldErrors.example(map[string][]string{"name": {"This field is required."}, "points_cost": {"A valid integer is required."}})
	s.set("FieldErrors", fieldErrors)
	s.set("AuthError", object("A refused or missing credential.",
		req("detail", str("")),
		opt("code", enum([]string{"token_not_valid"}, "Present for a bad or expired token."))))
	s.set("ValidationError", oneOf("Field errors; or `{\"detail\"}` when the body could not be read at all "+
		"(`JSON parse error - the body is not valid JSON.`, `Malformed form data.`).", ref("FieldErrors"), ref("Detail")))
	s.set("InsufficientPoints", object("The seed's answer to a use the caller cannot afford.",
		req("non_field_errors", arrayOf(enum([]string{"Insufficient points"}, ""), "")),
		req("required", integer("The tool's cost.")),
		req("available", integer("The caller's balance."))))
	s.set("InvalidRole", object("The seed's answer to a missing or unknown role.", req("error", enum([]string{"Invalid role"}, ""))))

	// tokens
	s.set("TokenObtainRequest", object("",
		req("email", str("The user's email: as stored, or ignoring case when that names one user.").chars(1, maxCredentialChars)),
		req("password", str("Taken exactly as sent (no trimming).").chars(1, maxCredentialChars).format("password"))))
	s.set("TokenRefreshRequest", object("", req("refresh", str("A refresh token, unused.").chars(1, maxTokenChars))))
	s.set("TokenVerifyRequest", object("", req("token", str("An access token, or an unused refresh token.").chars(1, maxTokenChars))))
	s.set("TokenPair", viewOf(tokenPair{}, "", map[string]*schema{
		"access": d("A PocketBase auth token of the user (HS256; claims `type: \"auth\"`, `id`, `collectionId`, `exp`, plus SimpleJWT's " +
			"`token_type: \"access\"`, `user_id`, `jti`, `iat`). Lifetime `TOOLBASE_ACCESS_TOKEN_TTL` (default 60m)."),
		"refresh": d("toolbase's refresh JWT (HS256; claims `token_type: \"refresh\"`, `jti`, `user_id`, `iat`, `exp`), usable once. " +
			"Lifetime `TOOLBASE_REFRESH_TOKEN_TTL` (default 24h). It dies when the user's password or email changes."),
	}))
	s.set("Empty", object("An empty object."))

	// users
	roles := enum(c.Roles, "")
	s.set("Profile", viewOf(userProfileView{}, "The user's profile.", map[string]*schema{
		"website":             d("An http(s) URL, or `\"\"`.").uriOrEmpty(),
		"skills":              d("A list of strings."),
		"email_notifications": d("Default true."),
	}))
	s.set("User", viewOf(userView{}, "A user (detail, `me`, `register`, `update_me`, `change_role`).", map[string]*schema{
		"role":           roles,
		"email":          d("").format("email"),
		"avatar":         str("Path of the avatar file (`/api/files/<collectionId>/<id>/<file>`), or null. Avatars are uploaded through the records API.").null(),
		"api_key":        &schema{Type: "null", Description: "Always null: keys are their own resource (`/api/tools/api-keys/`)."},
		"points_balance": d("Points to spend on tools."),
		"total_revenue":  d("A creator's lifetime earnings, net of the platform fee."),
		"total_payouts":  d("What was paid out of it."),
		"profile":        ref("Profile"),
		"created_at":     created, "updated_at": updated,
	}))
	s.set("UserListItem", viewOf(userListView{}, "A user in the list of `users/`.", map[string]*schema{
		"role": roles, "created_at": created,
	}))
	s.set("PaginatedUsers", paginated("UserListItem", "A page of users, newest first."))
	s.set("Client", viewOf(clientView{}, "A user in the seed's client representation (`clients/`, `add_points/`, `deduct_points/`).", map[string]*schema{
		"created_at": created,
	}))
	s.set("ToolCreator", viewOf(creatorView{}, "A user in the seed's tool-creator representation.", map[string]*schema{
		"api_key": &schema{Type: "null", Description: "Always null."}, "created_at": created,
	}))
	profileWrite := object("Profile fields to change; the others keep their values.",
		opt("website", str("An http(s) URL, or `\"\"` to clear it.").uriOrEmpty().chars(0, 200)),
		opt("location", str("").chars(0, maxLocationChars)),
		opt("skills", arrayOf(str("").chars(0, maxItemChars), "").atMostItems(maxListItems)),
		opt("email_notifications", boolean("")),
		opt("marketing_emails", boolean("")))
	s.set("ProfileWrite", profileWrite)
	userFields := func(withEmail, withPassword bool, required bool) []oaField {
		var fs []oaField
		mk := req
		if !required {
			mk = opt
		}
		if withEmail {
			fs = append(fs, mk("email", str("A valid address, unique ignoring case.").format("email").chars(1, maxEmailChars)))
		}
		fs = append(fs, mk("username", str("Letters, digits and `@ . + - _`; unique ignoring case.").chars(1, maxUsernameChars).pattern(`^[\w.@+-]+$`)))
		if withPassword {
			fs = append(fs,
				req("password", str("8–71 characters; not entirely numeric; not the username or the email's local part.").chars(minPasswordChars, maxPasswordLen).format("password")),
				req("password_confirm", str("The same password.").format("password")))
		}
		fs = append(fs,
			opt("first_name", str("").chars(0, maxNameChars)),
			opt("last_name", str("").chars(0, maxNameChars)),
			opt("phone_number", str("").chars(0, maxPhoneChars)),
			opt("company_name", str("").chars(0, maxCompanyChars)),
			opt("bio", str("").chars(0, maxBioChars)),
			opt("profile", ref("ProfileWrite")))
		return fs
	}
	s.set("RegisterRequest", object("A new client. `role` and balances are ignored: a registered user is a CLIENT with 0 points.",
		userFields(true, true, true)...))
	s.set("UserUpdate", object("An admin's edit of a user. PUT requires `email` and `username`. Role and balances are read-only "+
		"(see `change_role/`, `add_points/`, `deduct_points/`); changing another user's email signs that user out.",
		userFields(true, false, true)...))
	s.set("MeUpdate", object("An edit of the caller's own profile. PUT requires `username`. `email`, `role` and balances are read-only here "+
		"(email changes go through PocketBase's email-change flow).", userFields(false, false, true)...))
	s.set("RoleChange", object("", req("role", enum(c.Roles, ""))))
	s.set("PointsBalance", object("",
		req("points_balance", integer("")),
		req("can_use_tools", boolean("True for a positive balance, and always for admins (who use tools free)."))))
	s.set("RevenueStats", object("",
		req("total_revenue", integer("Lifetime earnings, net of the platform fee.")),
		req("total_payouts", integer("What was paid out.")),
		req("pending_balance", integer("`total_revenue − total_payouts`."))))

	// points and ledger
	s.set("PointsChange", object("",
		req("points", integer("How many points.").within(1, MaxPointsChange)),
		opt("reason", str("Recorded as the ledger row's note.").chars(0, c.MaxNoteChars))))
	s.set("Transaction", viewOf(transactionView{}, "A ledger row (append-only).", map[string]*schema{
		"account":       enum([]string{c.AccountPoints, c.AccountRevenue}, "`points`: spendable points; `revenue`: a creator's earnings."),
		"kind":          enum(c.Kinds, ""),
		"amount":        d("Signed: what the row adds to the account."),
		"balance_after": d("The account's balance right after this row."),
		"usage":         nullID("The usage the row belongs to, or null."),
		"actor":         nullID("The admin who made a GRANT, DEDUCT, ADJUSTMENT or PAYOUT row, or null."),
		"created_at":    created,
	}))
	s.set("PaginatedTransactions", paginated("Transaction", "A page of ledger rows, newest first."))

	// tools
	s.set("Tool", viewOf(toolView{}, "A tool (detail).", map[string]*schema{
		"category":          enum(c.Categories, ""),
		"status":            enum(c.Statuses, ""),
		"creator":           d("The creator's user id."),
		"creator_name":      d("The creator's full name: first and last name joined by a space and stripped (Django's `get_full_name()`), `\"\"` when both are empty; never the username."),
		"points_cost":       d("Points per use."),
		"api_endpoint":      d("Where a use is POSTed, or `\"\"` (see the use route).").uriOrEmpty(),
		"api_documentation": d("Or `\"\"`.").uriOrEmpty(),
		"total_uses":        d("Uses not refunded."),
		"total_revenue":     d("Gross: the sum of its usages' `points_spent` (not refunded)."),
		"average_rating":    d("0–5, rounded to 2 decimals."),
		"rating_count":      d("How many reviews (an addition to the seed's fields)."),
		"created_at":        created, "updated_at": updated,
	}))
	s.set("ToolListItem", viewOf(toolListView{}, "A tool in the list of `tools/`: the seed's subset, plus `creator`.", map[string]*schema{
		"category": enum(c.Categories, ""), "status": enum(c.Statuses, ""), "created_at": created,
	}))
	s.set("PaginatedTools", paginated("ToolListItem", "A page of tools."))
	s.set("ToolWrite", object("A tool's writable fields. PUT and POST require `name`; PATCH takes any subset and leaves the rest. "+
		"`creator` (always the caller on create), the counters and the timestamps are read-only.",
		req("name", str("").chars(1, maxToolNameChars)),
		opt("description", str("").chars(0, maxToolDescriptionChars).def("")),
		opt("category", enum(c.Categories, "").def(c.CategoryOther)),
		opt("status", enum(c.Statuses, "On create (the seed's create serializer has no status: toolbase's extension), a creator may send DRAFT or PENDING, "+
			"and any other status it sends is ignored (the tool starts as DRAFT); admins any (past review: audited as `tool.status`). On edit, a creator moves its own tool "+
			"DRAFT → PENDING and ACTIVE ⇄ INACTIVE; only admins approve (ACTIVE) or suspend (SUSPENDED).").def(c.StatusDraft)),
		opt("points_cost", integer("An explicit 0 is kept.").within(0, c.MaxPointsCost).def(c.DefaultPointsCost)),
		opt("api_endpoint", str("An http(s) URL, or `\"\"`. toolbase calls it on each use; it must use https unless "+
			"`TOOLBASE_ALLOW_HTTP_ENDPOINTS` is set.").uriOrEmpty().chars(0, 200)),
		opt("api_documentation", str("An http(s) URL, or `\"\"`.").uriOrEmpty().chars(0, 200)),
		opt("tags", arrayOf(str("").chars(0, maxItemChars), "").atMostItems(maxListItems).def([]string{})),
		opt("version", str("Not blank.").chars(1, maxToolVersionChars).def(c.DefaultVersion))))

	// use and usage
	s.set("Usage", viewOf(usageView{}, "A use of a tool.", map[string]*schema{
		"tool":              d("The tool's id."),
		"user":              d("The id of the user who used it."),
		"api_key":           nullID("The id of the API key the use came through, or null."),
		"input_data":        anyJSON("The `input_data` sent (a JSON object)."),
		"output_data":       anyJSON("What the tool answered: a local tool's `{\"status\": \"accepted\"}`; a remote tool's JSON answer; null while PENDING or when the call failed."),
		"points_spent":      d("What the use cost (0 for admins and a creator's own tools)."),
		"execution_time":    d("A DRF duration, `\"00:00:00.100000\"`."),
		"execution_time_ms": d("The same in milliseconds."),
		"success":           d("True once the use succeeded."),
		"state":             enum(c.UsageStates, "PENDING while a remote tool's call runs; FAILED calls are refunded."),
		"error_message":     d("Why a call failed, or `\"\"`."),
		"created_at":        created,
	}))
	s.set("PaginatedUsage", paginated("Usage", "A page of usage, newest first."))
	s.set("UseRequest", object("",
		opt("input_data", &schema{Type: "object", Description: fmt.Sprintf("The tool's input: a JSON object of at most %d bytes (%d KiB) encoded. Missing: `{}`.", c.MaxInputBytes, c.MaxInputBytes>>10)})))
	s.set("UseResult", viewOf(useResponse{}, "The seed's use answer `{usage_id, output_data, points_spent, remaining_points}`, with the usage's fields.", map[string]*schema{
		"usage_id":          d("The usage's id (also `id`)."),
		"remaining_points":  d("The caller's balance right after the use (after the refund of a failed call)."),
		"api_key":           nullID("The id of the API key the use came through, or null."),
		"input_data":        anyJSON("The `input_data` sent."),
		"output_data":       anyJSON("A local tool's `{\"status\": \"accepted\"}`; a remote tool's JSON answer; null when the call failed."),
		"state":             enum(c.UsageStates, ""),
		"execution_time":    d("A DRF duration."),
		"execution_time_ms": d("The remote call's time in milliseconds (0 for a local tool)."),
		"error_message":     d("Why a remote call failed (it was refunded), or `\"\"`."),
		"created_at":        created,
	}))
	s.set("SigningSecret", object("", req("signing_secret", str("`whsec_` and 43 characters: the HMAC key of the `X-Toolbase-Signature` header of the tool's calls. Shown this once."))))

	// keys
	s.set("APIKey", viewOf(keyView{}, "An API key.", map[string]*schema{
		"user":      d("The owner's id."),
		"tool":      nullID("The tool the key is scoped to, or null (the key can do whatever its owner can, except manage keys)."),
		"tool_name": str("The scoped tool's name, or null.").null(),
		"api_key": d("The full secret (`tk_` and 43 characters) only in the answers of create and regenerate (sent with " +
			"`Cache-Control: no-store`); everywhere else the masked prefix `tk_AbCdEfGh…`."),
		"key_prefix":               d("The secret's first 11 characters, `tk_AbCdEfGh`."),
		"daily_limit":              d("Uses per UTC day through the key."),
		"monthly_limit":            d("Uses per UTC month through the key."),
		"daily_usage":              d("Uses in the current UTC day."),
		"monthly_usage":            d("Uses in the current UTC month."),
		"expires_at":               nullTime("When the key stops working, or null."),
		"previous_key_valid_until": nullTime("While a replaced secret is in its grace period (see regenerate), when it stops; else null."),
		"created_at":               created, "updated_at": updated,
		"last_used": nullTime("When the key was last used (fresh to the minute), or null."),
	}))
	s.set("PaginatedAPIKeys", paginated("APIKey", "A page of API keys, newest first."))
	keyLimits := func() []oaField {
		return []oaField{
			opt("daily_limit", integer("Uses per UTC day; 0 allows none.").within(0, maxKeyLimit).def(c.DefaultDailyLimit)),
			opt("monthly_limit", integer("Uses per UTC month; 0 allows none.").within(0, maxKeyLimit).def(c.DefaultMonthlyLimit)),
			opt("is_active", boolean("False stops the key at once; true restarts it.").def(true)),
			opt("expires_at", dateTime("An RFC 3339 time in the future; null clears it.").null()),
		}
	}
	s.set("APIKeyCreate", object(fmt.Sprintf("A new key; a user has at most %d keys (inactive and expired ones count).", maxKeysPerUser),
		append([]oaField{
			req("key_name", str("").chars(1, maxKeyNameChars)),
			opt("tool", str("Scope the key to this tool: a client any tool it can see (ACTIVE), a creator also its own, an admin any. "+
				"Null or `\"\"`: unscoped. Fixed at creation.").null()),
		}, keyLimits()...)...))
	s.set("APIKeyUpdate", object("PUT requires `key_name`. Owner and scope are fixed (ignored).",
		append([]oaField{req("key_name", str("").chars(1, maxKeyNameChars))}, keyLimits()...)...))
	s.set("APIKeyRegenerate", object("",
		opt("grace_seconds", integer("How long the replaced secret keeps working alongside the new one; 0 stops it at once.").within(0, maxGraceSeconds).def(0))))

	// feedback
	rating := integer("").within(c.MinRating, c.MaxRating)
	s.set("Feedback", viewOf(feedbackView{}, "A review of a tool.", map[string]*schema{
		"tool":      d("The tool's id."),
		"tool_name": d("The tool's name."),
		"user":      d("The reviewer's id."),
		"user_name": d("The reviewer's full name: first and last name joined by a space and stripped (Django's `get_full_name()`), `\"\"` when both are empty; never the username."),
		"rating":    integer("From 1 to 5.").within(c.MinRating, c.MaxRating),
		"comment":   d("Or `\"\"`."),
		"is_public": d("A public review is shown to every user (and in the tool's `feedback/`); a private one only to its author, " +
			"the tool's creator and admins."),
		"created_at": created, "updated_at": updated,
	}))
	s.set("PaginatedFeedback", paginated("Feedback", "A page of reviews, newest first."))
	feedbackFields := func(desc string, defaults bool) *schema {
		comment := str("").chars(0, c.MaxCommentChars)
		isPublic := boolean("False: only the author, the tool's creator and admins see it.")
		if defaults {
			comment.def("")
			isPublic.def(true)
		}
		return object(desc, req("rating", rating), opt("comment", comment), opt("is_public", isPublic))
	}
	s.set("FeedbackSubmit", feedbackFields("The caller's review of the tool. A second submission replaces the first, as a new review: "+
		"the fields it omits take their defaults.", true))
	s.set("FeedbackUpdate", feedbackFields("An edit of a review. PUT requires `rating`; the fields omitted keep their values. "+
		"`tool` and `user` are read-only (ignored).", false))

	// statistics
	day := func(desc string) *schema { return d(desc).format("date") }
	s.set("StatsRange", viewOf(rangeView{}, "The range the numbers cover: the days asked for, widened to whole buckets.", map[string]*schema{
		"from":     day("The first day of the first bucket, `YYYY-MM-DD`."),
		"to":       day("The last day of the last bucket (inclusive), `YYYY-MM-DD`."),
		"interval": enum(intervals, ""),
	}))
	seriesMore := map[string]*schema{
		"period":       day("The bucket's first day, `YYYY-MM-DD` (a week's Monday, a month's 1st)."),
		"uses":         d("Uses created in the bucket."),
		"unique_users": d("How many users made them."),
		"points_spent": d("What they cost."),
	}
	s.set("SeriesPoint", viewOf(seriesPoint{}, "One bucket of a series.", seriesMore))
	platformMore := map[string]*schema{
		"points_granted": d("Points granted by admins in the bucket (GRANT ledger rows)."),
		"new_users":      d("Users who signed up in the bucket."),
	}
	for k, v := range seriesMore {
		platformMore[k] = v
	}
	s.set("PlatformSeriesPoint", viewOf(platformPoint{}, "One bucket of the platform's series.", platformMore))
	s.set("ToolUse", viewOf(toolUse{}, "A tool's share of the range's usage.", map[string]*schema{
		"tool":         d("The tool's id."),
		"tool_name":    d("The tool's name."),
		"uses":         d("Uses in the range."),
		"points_spent": d("What they cost."),
	}))
	s.set("CreatorUse", viewOf(creatorUse{}, "A creator's share of the range's usage: the uses of its tools.", map[string]*schema{
		"creator":       d("The creator's id."),
		"creator_name":  d("The creator's full name: first and last name joined by a space and stripped (Django's `get_full_name()`), `\"\"` when both are empty; never the username."),
		"creator_email": d("").format("email"),
		"uses":          d("Uses of its tools in the range."),
		"points_spent":  d("What they cost."),
	}))
	series := arrayOf(ref("SeriesPoint"), "Every bucket of the range, in order; empty ones with zeros.")
	statsRange := ref("StatsRange")
	byTool := fmt.Sprintf("Most uses first, then most points, then id; at most %d.", maxBareList)
	s.set("ToolStats", viewOf(ToolStatsBody{}, "A tool's statistics. The four counters of the seed's body are the tool's lifetime "+
		"counters, as on the tool; the other numbers cover the range.", map[string]*schema{
		"tool":             d("The tool's id."),
		"tool_name":        d("The tool's name."),
		"total_uses":       d("Lifetime: uses not refunded."),
		"total_revenue":    d("Lifetime, gross: the points spent on it (not refunded)."),
		"average_rating":   d("Lifetime: the mean of all its reviews, public and private, 0–5 rounded half up to 2 decimals; 0 without reviews."),
		"rating_count":     d("Lifetime: how many reviews."),
		"unique_users":     d("How many users used it in the range."),
		"creator_earnings": d("The creator's net share of the range's uses (their EARNING ledger rows)."),
		"recent_usage": arrayOf(ref("Usage"), fmt.Sprintf("Its last %d uses that the caller may see (the usage list rule), newest first, "+
			"whatever the range.", statsRecentUsage)),
		"series": series,
		"range":  statsRange,
	}))
	s.set("ClientStats", viewOf(ClientStatsBody{}, "A client's usage statistics: its own uses in the range.", map[string]*schema{
		"role":         enum([]string{c.RoleClient}, ""),
		"total_uses":   d("Uses in the range."),
		"points_spent": d("What they cost."),
		"by_tool":      arrayOf(ref("ToolUse"), "The tools it used in the range. "+byTool),
		"series":       series,
		"range":        statsRange,
	}))
	s.set("CreatorStats", viewOf(CreatorStatsBody{}, "A creator's usage statistics: the uses of its own tools in the range.", map[string]*schema{
		"role":             enum([]string{c.RoleToolCreator}, ""),
		"total_uses":       d("Uses of its tools in the range."),
		"total_revenue":    d("Gross: the points spent on them."),
		"creator_earnings": d("Net: its share of them (its EARNING ledger rows)."),
		"unique_users":     d("How many users made them."),
		"by_tool":          arrayOf(ref("ToolUse"), "Every own tool, unused ones with zeros. "+byTool),
		"series":           series,
		"range":            statsRange,
	}))
	s.set("PlatformStats", viewOf(PlatformStatsBody{}, "The platform's statistics (an admin's).", map[string]*schema{
		"role":           enum([]string{c.RoleAdmin}, ""),
		"total_uses":     d("Uses in the range."),
		"points_spent":   d("What they cost."),
		"points_granted": d("Points granted by admins in the range (GRANT ledger rows)."),
		"new_users":      d("Users who signed up in the range."),
		"top_tools": arrayOf(ref("ToolUse"), fmt.Sprintf("The %d most used tools of the range: most uses first, then most points, then id.",
			statsTopN)),
		"top_creators": arrayOf(ref("CreatorUse"), fmt.Sprintf("The %d creators with the most points spent on their tools in the range: "+
			"most points first, then most uses, then id.", statsTopN)),
		"series": arrayOf(ref("PlatformSeriesPoint"), "Every bucket of the range, in order; empty ones with zeros."),
		"range":  statsRange,
	}))

	// payouts
	s.set("Payout", viewOf(payoutView{}, "A payout request.", map[string]*schema{
		"creator":      d("The creator's id."),
		"status":       enum(c.PayoutStatuses, ""),
		"method":       d("How the creator wants to be paid, in its words."),
		"reference":    d("The external payment's reference (set by `mark_paid/`)."),
		"note":         d("The admin's note."),
		"processed_by": nullID("The admin who last moved it, or null."),
		"processed_at": nullTime("When it was last moved, or null."),
		"created_at":   created, "updated_at": updated,
	}))
	s.set("PaginatedPayouts", paginated("Payout", "A page of payouts, newest first."))
	s.set("PayoutCreate", object("",
		req("amount", integer("At least `TOOLBASE_MIN_PAYOUT` (default 100) and at most the pending balance "+
			"(`total_revenue − total_payouts`) minus the creator's REQUESTED and APPROVED payouts.").within(1, int64(c.MaxPoints))),
		opt("method", str("").chars(0, c.MaxPayoutMethodChars))))
	s.set("PayoutApprove", object("", opt("note", str("").chars(0, c.MaxNoteChars))))
	s.set("PayoutReject", object("", req("note", str("Why.").chars(1, c.MaxNoteChars))))
	s.set("PayoutMarkPaid", object("",
		req("reference", str("The external payment's reference.").chars(1, c.MaxPayoutReferenceChars)),
		opt("note", str("").chars(0, c.MaxNoteChars))))

	// refunds
	s.set("Refund", viewOf(refundView{}, "A refund request.", map[string]*schema{
		"usage":             d("The usage's id."),
		"requester":         d("The payer's id."),
		"status":            enum(c.RefundStatuses, ""),
		"amount":            d("Points credited back to the payer: the usage's `points_spent`."),
		"creator_reversal":  d("What was taken back from the creator's revenue (set on approval)."),
		"platform_absorbed": d("The part of the creator's earning already paid out, which the platform absorbs (set on approval)."),
		"note":              d("The admin's note."),
		"processed_by":      nullID("The admin who decided, or null."),
		"processed_at":      nullTime("When it was decided, or null."),
		"created_at":        created, "updated_at": updated,
	}))
	s.set("PaginatedRefunds", paginated("Refund", "A page of refunds, newest first."))
	s.set("RefundCreate", object("",
		req("usage", str("A usage the caller paid for, within `TOOLBASE_REFUND_WINDOW_DAYS` (default 30) days.").chars(1, 50)),
		req("reason", str("").chars(1, c.MaxReasonChars))))
	s.set("RefundApprove", object("", opt("note", str("").chars(0, c.MaxNoteChars))))
	s.set("RefundReject", object("", req("note", str("Why.").chars(1, c.MaxNoteChars))))

	// support
	ticketMore := map[string]*schema{
		"requester":   d("The id of the user who opened it."),
		"status":      enum(c.TicketStatuses, ""),
		"priority":    enum(c.TicketPriorities, ""),
		"assigned_to": nullID("The admin it is assigned to, or null."),
		"created_at":  created, "updated_at": updated,
	}
	s.set("Ticket", viewOf(ticketView{}, "A support ticket (in lists).", ticketMore))
	detailMore := map[string]*schema{"messages": arrayOf(ref("Message"), "The messages the caller may read, oldest first (no internal notes for the requester).")}
	for k, v := range ticketMore {
		detailMore[k] = v
	}
	s.set("TicketDetail", viewOf(ticketDetailView{}, "A support ticket with its messages.", detailMore))
	s.set("PaginatedTickets", paginated("Ticket", "A page of tickets, newest first."))
	s.set("Message", viewOf(messageView{}, "A message on a ticket.", map[string]*schema{
		"author":          nullID("The author's id, or null for a superuser's answer."),
		"author_name":     d("The author's name (`Support` for a superuser or a deleted author)."),
		"author_is_staff": d("True when an admin (or a superuser) wrote it."),
		"internal":        d("An internal note: admins only."),
		"created_at":      created,
	}))
	s.set("TicketCreate", object("",
		req("subject", str("").chars(1, c.MaxSubjectChars)),
		opt("message", str("The first message.").chars(0, c.MaxMessageBodyChars)),
		opt("priority", enum(c.TicketPriorities, "").def(c.PriorityNormal))))
	s.set("TicketUpdate", object("PUT requires `subject`. The requester may change the subject and set status CLOSED; the rest is for admins.",
		req("subject", str("").chars(1, c.MaxSubjectChars)),
		opt("status", enum(c.TicketStatuses, "")),
		opt("priority", enum(c.TicketPriorities, "")),
		opt("assigned_to", str("An admin's id; null or `\"\"` unassigns.").null())))
	s.set("MessageCreate", object("",
		req("body", str("").chars(1, c.MaxMessageBodyChars)),
		opt("internal", boolean("An internal note, hidden from the requester: admins only.").def(false))))

	// site content
	s.set("SitePage", viewOf(pageView{}, "A site page or announcement.", map[string]*schema{
		"kind":       enum(c.PageKinds, ""),
		"body":       d("HTML written by admins, served as is."),
		"published":  d("Published pages are public."),
		"updated_by": nullID("The admin who last wrote it, or null (a superuser)."),
		"created_at": created, "updated_at": updated,
	}))
	s.set("PaginatedSitePages", paginated("SitePage", "A page of site pages, newest first."))
	s.set("SitePageWrite", object("PUT and POST require `slug` and `title`.",
		req("slug", str("Lowercase letters and digits in words joined by single hyphens; unique.").chars(1, c.MaxSlugChars).pattern(c.SlugPattern)),
		req("title", str("").chars(1, c.MaxTitleChars)),
		opt("body", str(fmt.Sprintf("HTML, at most %d bytes.", c.MaxPageBodyBytes))),
		opt("kind", enum(c.PageKinds, "").def(c.PageKindPage)),
		opt("published", boolean("").def(false))))

	// audit
	s.set("AuditRow", viewOf(auditView{}, "An audit row.", map[string]*schema{
		"actor":       nullID("The acting user's (or superuser's) id, or null for toolbase itself or the CLI."),
		"actor_email": d("The actor's email then; `cli:<OS user>` for the CLI."),
		"actor_role":  d("The actor's role then: a user role, `SUPERUSER`, `CLI`, or `\"\"` for toolbase itself."),
		"action": d("`payout.approve|reject|mark_paid`, `refund.approve|reject`, `ticket.update`, `ticket.reply`, `ticket.internal_note`, " +
			"`page.create|update|delete`, `user.role`, `tool.status`, `points.grant|deduct|adjust`."),
		"target":     d("`collection/id` of what was acted on."),
		"before":     anyJSON("The relevant fields before, or null."),
		"after":      anyJSON("The relevant fields after, or null."),
		"created_at": created,
	}))
	s.set("PaginatedAuditRows", paginated("AuditRow", "A page of audit rows, newest first."))

	s.set("OpenAPIDocument", &schema{Type: "object", Description: "An OpenAPI 3.1 document."})
	return s
}

// ---------------------------------------------------------------------------
// The routes.

func seedOperations() []opSpec {
	idOf := func(what string) string { return "The " + what + "'s id." }
	search := queryParam("search", str("").chars(0, maxSearchChars),
		"Words (split on spaces and commas) that must each occur in the name, the description or a tag; case-insensitive, `%` and `_` literal.")
	category := queryParam("category", enum(c.Categories, ""), "Only tools of this category; another value is 400.")
	status := queryParam("status", enum(c.Statuses, ""), "Only tools with this status (within what the caller can see); another value is 400.")
	creator := queryParam("creator", str(""), "Only tools of this creator (a user id).")
	ordering := queryParam("ordering", str(""), "Comma-separated fields, `-` for descending: `"+strings.Join(toolOrderings, "`, `")+
		"`. Unknown fields are ignored. Default `-created_at`.")
	usageTool := queryParam("tool", str(""), "Only the usage of this tool.")
	since := queryParam("since", str(""), "From this time, inclusive: RFC 3339 (any offset) or `YYYY-MM-DD` (UTC midnight).")
	until := queryParam("until", str(""), "Up to this time, inclusive (a date includes its whole day).")
	badTime := "A bad `since` or `until`: `{\"since\": [\"Enter a valid date/time: RFC 3339 (2006-01-02T15:04:05Z) or YYYY-MM-DD.\"]}`."
	statsParams := []*oaParameter{
		queryParam("from", str("").format("date"), fmt.Sprintf("The first day, `YYYY-MM-DD` (UTC), inclusive. Default: %d days before `to`.", defaultStatsDays-1)),
		queryParam("to", str("").format("date"), "The last day, `YYYY-MM-DD` (UTC), inclusive. Default: today."),
		queryParam("interval", enum(intervals, "").def(intervalDay), "The series' buckets: `day`, `week` (from Monday) or `month`. "+
			"The range is widened to whole buckets."),
	}
	badRange := fmt.Sprintf("A bad range: a date not `YYYY-MM-DD` (`{\"from\": [\"Date has wrong format. Use one of these formats instead: "+
		"YYYY-MM-DD.\"]}`), an unknown `interval` (`{\"interval\": [\"\\\"hour\\\" is not a valid choice.\"]}`), `from` after `to`, or more than %d "+
		"buckets (`non_field_errors`).", maxStatsBuckets)
	choiceErr := func(params string) string {
		return "A bad " + params + ": `{\"status\": [\"Select a valid choice. X is not one of the available choices.\"]}`."
	}
	admins := "admins"
	userRows := "the users collection's view rule: admins see everyone, others only themselves (another user is 404)"

	return []opSpec{
		// tokens
		{method: "POST", path: "/token/", tag: tagTokens, id: "obtainTokens", access: public,
			summary: "Obtain an access and a refresh token",
			who:     "anyone",
			desc: "Email and password for `{access, refresh}`. The users collection's auth rule decides who may sign in, as on the records API.\n\n" +
				loginThrottleDoc(),
			body: bodyOf("TokenObtainRequest", true, ""),
			responses: []response{
				ok(200, "The tokens.", ref("TokenPair")),
				badRequest("A missing, blank, non-string or too long `email` or `password`; an unreadable body."),
				withJSON(401, "An unknown email, a wrong password, or a user the auth rule refuses: the same answer (and about the same time) in each case.",
					ref("Detail"), detailOf(msgNoActiveAccount)),
				withJSON(403, "The users collection requires multi-factor authentication: sign in through `/api/collections/users/auth-with-password`.", ref("Detail"), nil),
				withJSON(429, "Too many failed logins.", ref("Detail"), detailOf("Request was throttled. Expected available in 60 seconds.")).
					header("Retry-After", "Seconds to wait.", integer("")),
			}},
		{method: "POST", path: "/token/refresh/", tag: tagTokens, id: "refreshTokens", access: public,
			summary: "Rotate a refresh token",
			who:     "anyone",
			desc: "A refresh token for a new access token and a new refresh token. Each refresh token works once (of concurrent uses exactly one " +
				"succeeds); its id is remembered until it expires.",
			body: bodyOf("TokenRefreshRequest", true, ""),
			responses: []response{
				ok(200, "A new pair.", ref("TokenPair")),
				badRequest("`refresh` missing, blank or not a string; an unreadable body."),
				withJSON(401, "A used, expired, tampered or malformed token; an access token; a token of a deleted user or one the auth rule now "+
					"refuses; a token issued before the user's password or email changed or the users collection's token secret was rotated.",
					ref("TokenError"), tokenError{msgTokenInvalid, "token_not_valid"}),
			}},
		{method: "POST", path: "/token/verify/", tag: tagTokens, id: "verifyToken", access: public,
			summary: "Check a token",
			who:     "anyone",
			desc:    "200 `{}` for a live access token of a user, or an unused live refresh token (as SimpleJWT with its blacklist).",
			body:    bodyOf("TokenVerifyRequest", true, ""),
			responses: []response{
				ok(200, "The token is valid.", ref("Empty")),
				badRequest("`token` missing, blank or not a string; an unreadable body."),
				withJSON(401, "Any other token.", ref("TokenError"), tokenError{msgTokenInvalid, "token_not_valid"}),
			}},

		// users
		{method: "POST", path: "/users/register/", tag: tagUsers, id: "register", access: public,
			summary: "Register a client",
			who:     "anyone (the users collection's create rule decides whether registration is open)",
			desc:    "Creates a CLIENT with 0 points. No tokens are returned: call `POST /api/token/`.",
			body:    bodyOf("RegisterRequest", true, ""),
			responses: []response{
				ok(201, "The new user.", ref("User")),
				badRequest("Field errors, e.g. `{\"non_field_errors\": [\"" + msgPasswordsDontMatch + "\"]}`, `{\"email\": [\"" + msgEmailTaken + "\"]}`, " +
					"`{\"username\": [\"" + msgUsernameTaken + "\"]}`, a weak password; nested profile errors are nested."),
				withJSON(403, "The users create rule refuses (registration closed or restricted).", ref("Detail"), detailOf("Registration is closed.")),
			}},
		{method: "GET", path: "/users/users/", tag: tagUsers, id: "listUsers", paginated: true,
			summary: "List users",
			who:     admins,
			desc:    "Newest first.",
			params: []*oaParameter{
				queryParam("role", enum(c.Roles, ""), "Only users of this role; another value is 400."),
				queryParam("search", str(""), "A substring of the email, username, first or last name (the first 200 characters count)."),
			},
			responses: []response{
				ok(200, "A page of users.", ref("PaginatedUsers")),
				badRequest(choiceErr("`role`")),
				forbiddenWhen("Not an admin."),
			}},
		{method: "GET", path: "/users/users/me/", tag: tagUsers, id: "showMe",
			summary: "Show the caller's profile",
			who:     "any user",
			responses: []response{
				ok(200, "The caller, with balances.", ref("User")),
			}},
		{method: "PUT", path: "/users/users/update_me/", tag: tagUsers, id: "replaceMe",
			summary: "Edit the caller's profile",
			who:     "any user",
			body:    bodyOf("MeUpdate", true, ""),
			responses: []response{
				ok(200, "The caller.", ref("User")),
				badRequest("Field errors (a taken username, a bad URL…)."),
				forbiddenWhen("The users update rule refuses the change."),
			}},
		{method: "PATCH", path: "/users/users/update_me/", tag: tagUsers, id: "updateMe",
			summary: "Edit part of the caller's profile",
			who:     "any user",
			body:    bodyOf("MeUpdate", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The caller.", ref("User")),
				badRequest("Field errors."),
				forbiddenWhen("The users update rule refuses the change."),
			}},
		{method: "GET", path: "/users/users/{id}/", tag: tagUsers, id: "showUser", pathParam: idOf("user"),
			summary: "Show a user",
			who:     "admins; any user for itself",
			responses: []response{
				ok(200, "The user.", ref("User")),
				notFoundWhen("No such user, or " + userRows + "."),
			}},
		{method: "PUT", path: "/users/users/{id}/", tag: tagUsers, id: "replaceUser", pathParam: idOf("user"),
			summary: "Edit a user",
			who:     admins,
			body:    bodyOf("UserUpdate", true, ""),
			responses: []response{
				ok(200, "The user.", ref("User")),
				badRequest("Field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such user."),
			}},
		{method: "PATCH", path: "/users/users/{id}/", tag: tagUsers, id: "updateUser", pathParam: idOf("user"),
			summary: "Edit part of a user",
			who:     admins,
			body:    bodyOf("UserUpdate", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The user.", ref("User")),
				badRequest("Field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such user."),
			}},
		{method: "DELETE", path: "/users/users/{id}/", tag: tagUsers, id: "deleteUser", pathParam: idOf("user"),
			summary: "Delete a user",
			who:     "admins, not their own account",
			desc:    "History is never deleted: a user with usage, ledger rows (as holder or actor) or reviews, or who owns tools, is kept (409): change its role instead. Its API keys are deleted with it.",
			responses: []response{
				noContent("Deleted."),
				forbiddenWhen("Not an admin, or the admin's own account (`You cannot delete your own account.`)."),
				notFoundWhen("No such user."),
				conflict("The user has history or owns tools.", msgUserHasHistory),
			}},
		{method: "POST", path: "/users/users/{id}/change_role/", tag: tagUsers, id: "changeRole", pathParam: idOf("user"),
			summary: "Change a user's role",
			who:     "admins, not for themselves",
			body:    bodyOf("RoleChange", true, ""),
			responses: []response{
				ok(200, "The user.", ref("User")),
				withJSON(400, "A missing or unknown role (the seed's shape), or an unreadable body.", oneOf("", ref("InvalidRole"), ref("Detail")), map[string]string{"error": "Invalid role"}),
				forbiddenWhen("Not an admin, or the admin's own role (`You cannot change your own role.`)."),
				notFoundWhen("No such user."),
			}},
		{method: "GET", path: "/users/clients/", tag: tagUsers, id: "listClients",
			summary: "List clients",
			who:     admins,
			desc:    fmt.Sprintf("A bare array, newest first, at most %d items.", maxBareList),
			responses: []response{
				ok(200, "The clients.", arrayOf(ref("Client"), "")),
				forbiddenWhen("Not an admin."),
			}},
		{method: "GET", path: "/users/clients/points_balance/", tag: tagUsers, id: "pointsBalance",
			summary: "Show the caller's points",
			who:     "any user",
			responses: []response{
				ok(200, "The balance.", ref("PointsBalance")),
			}},
		{method: "GET", path: "/users/tool-creators/", tag: tagUsers, id: "listToolCreators",
			summary: "List tool creators",
			who:     admins,
			desc:    fmt.Sprintf("A bare array, newest first, at most %d items.", maxBareList),
			responses: []response{
				ok(200, "The tool creators.", arrayOf(ref("ToolCreator"), "")),
				forbiddenWhen("Not an admin."),
			}},
		{method: "GET", path: "/users/tool-creators/revenue_stats/", tag: tagUsers, id: "revenueStats",
			summary: "Show the caller's revenue",
			who:     "tool creators",
			responses: []response{
				ok(200, "The caller's revenue.", ref("RevenueStats")),
				forbiddenWhen("Not a tool creator (admins included)."),
			}},

		// points and ledger
		{method: "POST", path: "/users/users/{id}/add_points/", tag: tagPoints, id: "addPoints", pathParam: idOf("user"),
			summary: "Grant points to a user",
			who:     admins,
			desc:    "A GRANT ledger row with the admin as actor and the reason as note, audited as `points.grant`.",
			body:    bodyOf("PointsChange", true, ""),
			responses: []response{
				ok(200, "The user, in the client representation.", ref("Client")),
				badRequest("Field errors on `points` or `reason`, or `{\"points\": [\"The balance would exceed its limit.\"]}`."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such user."),
			}},
		{method: "POST", path: "/users/users/{id}/deduct_points/", tag: tagPoints, id: "deductPoints", pathParam: idOf("user"),
			summary: "Deduct points from a user",
			who:     admins,
			desc:    "A DEDUCT ledger row with the admin as actor, audited as `points.deduct`. Never below zero.",
			body:    bodyOf("PointsChange", true, ""),
			responses: []response{
				ok(200, "The user, in the client representation.", ref("Client")),
				badRequest("Field errors, or `{\"non_field_errors\": [\"Insufficient points\"]}` when the balance is smaller."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such user."),
			}},
		{method: "GET", path: "/users/users/me/transactions/", tag: tagPoints, id: "myTransactions", paginated: true,
			summary: "List the caller's ledger",
			who:     "any user",
			desc:    "Both accounts (`points`, and a creator's `revenue`), newest first.",
			responses: []response{
				ok(200, "A page of ledger rows.", ref("PaginatedTransactions")),
			}},
		{method: "GET", path: "/users/users/{id}/transactions/", tag: tagPoints, id: "userTransactions", paginated: true, pathParam: idOf("user"),
			summary: "List a user's ledger",
			who:     "admins; any user for itself",
			desc:    "Newest first.",
			responses: []response{
				ok(200, "A page of ledger rows.", ref("PaginatedTransactions")),
				notFoundWhen("No such user, or " + userRows + "."),
			}},

		// tools
		{method: "GET", path: "/tools/tools/", tag: tagTools, id: "listTools", paginated: true,
			summary: "List tools",
			who:     "any user",
			desc:    "The tools visible to the caller, in the list representation.",
			params:  []*oaParameter{search, category, status, creator, ordering},
			responses: []response{
				ok(200, "A page of tools.", ref("PaginatedTools")),
				badRequest(choiceErr("`category` or `status`") + " A `search` over 200 characters."),
			}},
		{method: "POST", path: "/tools/tools/", tag: tagTools, id: "createTool",
			summary: "Create a tool",
			who:     "tool creators and admins; the creator is the caller",
			body:    bodyOf("ToolWrite", true, ""),
			responses: []response{
				ok(201, "The new tool.", ref("Tool")),
				badRequest("Field errors, e.g. `{\"name\": [\"This field is required.\"]}`; a `status` that is no status (a creator's ACTIVE, " +
					"INACTIVE or SUSPENDED is ignored: the tool starts as DRAFT); an `api_endpoint` that is not https."),
				forbiddenWhen("A client (checked before the body is read)."),
			}},
		{method: "GET", path: "/tools/tools/search/", tag: tagTools, id: "searchTools",
			summary: "Search tools",
			who:     "any user",
			desc: fmt.Sprintf("The visible tools where `q` occurs in the name or the description, or is one of the tags (case-insensitive); without `q`, "+
				"every visible tool. A bare array in the detail representation, newest first (or `ordering`), at most %d items.", maxBareList),
			params: []*oaParameter{queryParam("q", str("").chars(0, maxSearchChars), "The text to find."), category, ordering},
			responses: []response{
				ok(200, "The tools found.", arrayOf(ref("Tool"), "")),
				badRequest(choiceErr("`category`") + " A `q` over 200 characters."),
			}},
		{method: "GET", path: "/tools/tools/my_tools/", tag: tagTools, id: "myTools",
			summary: "List the caller's own tools",
			who:     "tool creators and admins",
			desc:    fmt.Sprintf("The caller's tools in any status: a bare array in the detail representation, newest first (or `ordering`), at most %d items.", maxBareList),
			params:  []*oaParameter{search, category, status, creator, ordering},
			responses: []response{
				ok(200, "The caller's tools.", arrayOf(ref("Tool"), "")),
				badRequest(choiceErr("`category` or `status`")),
				forbiddenWhen("A client."),
			}},
		{method: "GET", path: "/tools/tools/{id}/", tag: tagTools, id: "showTool", pathParam: idOf("tool"),
			summary: "Show a tool",
			who:     "any user who can see it (a tool-scoped API key: its tool)",
			responses: []response{
				ok(200, "The tool.", ref("Tool")),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},
		{method: "PUT", path: "/tools/tools/{id}/", tag: tagTools, id: "replaceTool", pathParam: idOf("tool"),
			summary: "Edit a tool",
			who:     "its creator, admins",
			desc: "The status move is judged against the stored status, in the transaction of the write. A creator moves its own tool " +
				"DRAFT → PENDING and ACTIVE ⇄ INACTIVE (sending the current status is fine); only admins approve (ACTIVE) or suspend (SUSPENDED).",
			body: bodyOf("ToolWrite", true, ""),
			responses: []response{
				ok(200, "The tool.", ref("Tool")),
				badRequest("Field errors; a refused status move alone: `{\"status\": [\"Cannot move this tool from DRAFT to ACTIVE: …\"]}`."),
				forbiddenWhen("The caller can see the tool but may not edit it (checked before the body is read)."),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},
		{method: "PATCH", path: "/tools/tools/{id}/", tag: tagTools, id: "updateTool", pathParam: idOf("tool"),
			summary: "Edit part of a tool",
			who:     "its creator, admins",
			desc:    "As PUT, with any subset of the fields.",
			body:    bodyOf("ToolWrite", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The tool.", ref("Tool")),
				badRequest("Field errors; a refused status move."),
				forbiddenWhen("The caller can see the tool but may not edit it."),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},
		{method: "DELETE", path: "/tools/tools/{id}/", tag: tagTools, id: "deleteTool", pathParam: idOf("tool"),
			summary: "Delete a tool",
			who:     "its creator, admins",
			desc:    "Usage and ledger rows are never removed, so a tool with usage (or reviews) is kept: set it INACTIVE. API keys scoped to a deleted tool are deleted with it.",
			responses: []response{
				noContent("Deleted."),
				forbiddenWhen("The caller can see the tool but may not delete it."),
				notFoundWhen("No such tool, or one the caller can't see."),
				conflict("The tool has usage or reviews.", "This tool has usage records, which are never deleted, so it cannot be deleted; set it INACTIVE instead."),
			}},

		// use
		{method: "POST", path: "/tools/tools/{id}/use/", tag: tagUse, id: "useTool", pathParam: idOf("tool"),
			summary: "Use a tool",
			who:     "any user who can see the tool (a tool-scoped API key: its tool)",
			desc: "Charges the caller the tool's `points_cost` and records the use, in one transaction: the guarded debit, the usage, the ledger rows " +
				"(the debit, and the creator's earning: the cost minus the platform fee of `TOOLBASE_PLATFORM_FEE_PERCENT`, default 20%, floored), " +
				"the tool's counters. Admins, and a creator on its own tool, use free (`points_spent` 0, no ledger rows). A use through an API key " +
				"counts against the key's daily and monthly limits and records the key.\n\n" +
				"**Idempotency.** With an `Idempotency-Key`, the same key from the same user within 24 hours replays the first answer " +
				"(same status and body, header `Idempotent-Replayed: true`) and charges nothing; the same key with another tool or input is 422.\n\n" +
				"**Local tools** (no `api_endpoint`): the use succeeds at once with `output_data` `{\"status\": \"accepted\"}`.\n\n" +
				"**Remote tools** (an `api_endpoint`): after the charge is committed, toolbase POSTs " +
				"`{\"usage_id\", \"tool_id\", \"user_id\", \"input_data\"}` (JSON) to the endpoint, with header `" + SignatureHeader + ": t=<unix seconds>,v1=<hex>`, " +
				"where `v1` is the HMAC-SHA256 of `<t>.<raw body>` under the tool's signing secret (see `signing_secret/`): the endpoint should " +
				"recompute it and refuse stale `t`. The endpoint has the tool's `timeout_seconds` (1–120, default 30; set through the records API or the dashboard) to answer 2xx with JSON of at most 1 MiB, which " +
				"becomes `output_data` (`state` SUCCEEDED). Anything else (a timeout, a non-2xx status, a redirect, which is not followed, invalid " +
				"or oversized JSON, an address toolbase may not call) fails the use: `state` FAILED, `success` false, `error_message` says why, and " +
				"the points are refunded in the same settlement (`remaining_points` is after the refund). Either way the answer is 200. A use " +
				"left PENDING by a crash is failed and refunded when the server restarts or once past its timeout. Endpoints must use https " +
				"(unless `TOOLBASE_ALLOW_HTTP_ENDPOINTS`) and public addresses (unless `TOOLBASE_ALLOW_PRIVATE_ENDPOINTS`); at most " +
				"`TOOLBASE_TOOL_MAX_IN_FLIGHT` (default 32) calls to one tool run at once.",
			body: bodyOf("UseRequest", false, "The tool's input. An empty body is `{}`."),
			responses: []response{
				ok(200, "The use (also when a replay, or a remote call that failed and was refunded).", ref("UseResult")).
					header("Idempotent-Replayed", "`true` when this answer replays an earlier use with the same `Idempotency-Key`.", enum([]string{"true"}, "")),
				withJSON(400, "Not enough points: `{\"non_field_errors\": [\"Insufficient points\"], \"required\": c, \"available\": p}` (nothing is written); "+
					"a tool that is visible but not ACTIVE, to anyone but its creator: `{\"non_field_errors\": [\"Cannot use this tool\"]}`; `input_data` not an object; "+
					fmt.Sprintf("an `Idempotency-Key` over %d characters (`{\"detail\"}`); an unreadable body.", c.MaxIdempotencyKeyChars),
					oneOf("", ref("InsufficientPoints"), ref("FieldErrors"), ref("Detail")),
					map[string]any{"non_field_errors": []string{"Insufficient points"}, "required": 10, "available": 3}),
				withJSON(401, "The API key was deactivated, deleted or expired while the use was in flight (nothing is charged).", ref("Detail"), nil),
				forbiddenWhen("A tool-scoped API key for another tool."),
				notFoundWhen("No such tool, or one the caller can't see."),
				conflict("The `Idempotency-Key` replays a remote use whose call is still running.", "Request in progress."),
				withJSON(413, fmt.Sprintf("The body exceeds %d bytes, or `input_data` exceeds %d bytes encoded.", maxUseBodyBytes, c.MaxInputBytes),
					ref("Detail"), detailOf(fmt.Sprintf("input_data exceeds %d bytes.", c.MaxInputBytes))),
				withJSON(422, "The `Idempotency-Key` was already used with another tool or input.", ref("Detail"),
					detailOf("This Idempotency-Key was already used with a different tool or input.")),
				withJSON(429, "The API key's daily or monthly limit is reached (nothing is charged; `Retry-After` is the seconds to the next UTC day or month), "+
					"or too many calls to this remote tool are running (`Too many calls to this tool are running; retry shortly.`).",
					ref("Detail"), detailOf("Daily limit of this API key reached: 1000 uses per UTC day.")).
					header("Retry-After", "For a key's quota: seconds until it restarts.", integer("")),
			},
			params: []*oaParameter{{Name: "Idempotency-Key", In: "header", Description: "Any client-chosen string; the same key from the same " +
				"user within 24 hours replays the first answer.", Schema: str("").chars(0, c.MaxIdempotencyKeyChars)}},
		},
		{method: "POST", path: "/tools/tools/{id}/signing_secret/", tag: tagUse, id: "newSigningSecret", pathParam: idOf("tool"),
			summary: "Make a new signing secret for a tool's calls",
			who:     "its creator, admins",
			desc: "A new secret for the `" + SignatureHeader + "` header of the calls toolbase makes to the tool's `api_endpoint`, shown this " +
				"once; the old secret stops at once. Every tool gets a secret when created; this is the way to learn it.",
			body: bodyOf("Empty", false, "No fields; a body is read and ignored."),
			responses: []response{
				ok(200, "The new secret.", ref("SigningSecret")),
				badRequest("An unreadable body."),
				forbiddenWhen("The caller can see the tool but may not edit it."),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},

		// usage
		{method: "GET", path: "/tools/usage/", tag: tagUsage, id: "listUsage", paginated: true,
			summary: "List usage",
			who:     "any user: own usage; a creator also the usage of its tools; admins all (a tool-scoped API key: the tool's)",
			desc:    "Newest first. Times are compared at millisecond precision.",
			params:  []*oaParameter{usageTool, since, until},
			responses: []response{
				ok(200, "A page of usage.", ref("PaginatedUsage")),
				badRequest(badTime),
			}},
		{method: "GET", path: "/tools/usage/my_usage/", tag: tagUsage, id: "myUsage",
			summary: "List the caller's own usage",
			who:     "any user (only its own, admins and creators too)",
			desc:    fmt.Sprintf("A bare array, newest first, at most %d items.", maxBareList),
			params:  []*oaParameter{usageTool, since, until},
			responses: []response{
				ok(200, "The caller's usage.", arrayOf(ref("Usage"), "")),
				badRequest(badTime),
			}},
		{method: "GET", path: "/tools/usage/{id}/", tag: tagUsage, id: "showUsage", pathParam: idOf("usage"),
			summary: "Show a usage",
			who:     "as the list",
			responses: []response{
				ok(200, "The usage.", ref("Usage")),
				forbiddenWhen("A tool-scoped API key, for a usage of another tool that the owner can see."),
				notFoundWhen("No such usage, or one the caller can't see."),
			}},

		// keys
		{method: "GET", path: "/tools/api-keys/", tag: tagKeys, id: "listAPIKeys", paginated: true,
			summary: "List API keys",
			who:     "any user: own keys; admins all",
			desc:    "Newest first. Secrets are masked.",
			responses: []response{
				ok(200, "A page of keys.", ref("PaginatedAPIKeys")),
			}},
		{method: "POST", path: "/tools/api-keys/", tag: tagKeys, id: "createAPIKey", access: tokenOnly,
			summary: "Create an API key",
			who:     "any user, with a token",
			desc:    "The answer carries the full secret in `api_key`, this once (with `Cache-Control: no-store`): store it, it cannot be recovered.",
			body:    bodyOf("APIKeyCreate", true, ""),
			responses: []response{
				ok(201, "The key, with its secret.", ref("APIKey")).header("Cache-Control", "`no-store`.", str("")),
				badRequest(fmt.Sprintf("Field errors (a blank name, a limit out of range, a past expiry, `{\"tool\": [\"Invalid pk \\\"…\\\" - object does not exist.\"]}`); "+
					"`{\"non_field_errors\": [\"You can have at most %d API keys; delete one first.\"]}`.", maxKeysPerUser)),
				forbiddenWhen("Sent with an API key: `" + msgKeysNoManage + "`"),
			}},
		{method: "GET", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "showAPIKey", pathParam: idOf("key"),
			summary: "Show an API key",
			who:     "its owner, admins",
			responses: []response{
				ok(200, "The key (masked).", ref("APIKey")),
				notFoundWhen("No such key, or another user's."),
			}},
		{method: "PUT", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "replaceAPIKey", pathParam: idOf("key"), access: tokenOnly,
			summary: "Edit an API key",
			who:     "its owner, admins, with a token",
			body:    bodyOf("APIKeyUpdate", true, ""),
			responses: []response{
				ok(200, "The key (masked).", ref("APIKey")),
				badRequest("Field errors."),
				forbiddenWhen("Sent with an API key."),
				notFoundWhen("No such key, or another user's."),
			}},
		{method: "PATCH", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "updateAPIKey", pathParam: idOf("key"), access: tokenOnly,
			summary: "Edit part of an API key",
			who:     "its owner, admins, with a token",
			body:    bodyOf("APIKeyUpdate", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The key (masked).", ref("APIKey")),
				badRequest("Field errors."),
				forbiddenWhen("Sent with an API key."),
				notFoundWhen("No such key, or another user's."),
			}},
		{method: "DELETE", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "deleteAPIKey", pathParam: idOf("key"), access: tokenOnly,
			summary: "Delete an API key",
			who:     "its owner, admins, with a token",
			desc:    "The key stops at once; its usage rows stay (their `api_key` is cleared).",
			responses: []response{
				noContent("Deleted."),
				forbiddenWhen("Sent with an API key."),
				notFoundWhen("No such key, or another user's."),
			}},
		{method: "POST", path: "/tools/api-keys/{id}/regenerate/", tag: tagKeys, id: "regenerateAPIKey", pathParam: idOf("key"), access: tokenOnly,
			summary: "Replace an API key's secret",
			who:     "its owner, admins, with a token",
			desc: "A new secret, returned this once (with `Cache-Control: no-store`). The old one stops at once, or after `grace_seconds`; " +
				"only one replaced secret is kept (regenerating again stops the one in grace). Limits, counters, scope and id stay.",
			body: bodyOf("APIKeyRegenerate", false, ""),
			responses: []response{
				ok(200, "The key, with its new secret.", ref("APIKey")).header("Cache-Control", "`no-store`.", str("")),
				badRequest("`grace_seconds` out of range."),
				forbiddenWhen("Sent with an API key."),
				notFoundWhen("No such key, or another user's."),
			}},

		// feedback
		{method: "GET", path: "/tools/tools/{id}/feedback/", tag: tagFeedback, id: "toolFeedback", pathParam: idOf("tool"),
			summary: "List a tool's public reviews",
			who:     "any user who can see the tool",
			desc:    fmt.Sprintf("The tool's public reviews, newest first: a bare array of at most %d items.", maxBareList),
			responses: []response{
				ok(200, "The reviews.", arrayOf(ref("Feedback"), "")),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},
		{method: "POST", path: "/tools/tools/{id}/submit_feedback/", tag: tagFeedback, id: "submitFeedback", pathParam: idOf("tool"),
			summary: "Review a tool",
			who:     "any user who can see the tool and used it successfully at least once, except its creator",
			desc: "One review per user and tool: the first submission creates it (201), a later one replaces it (200), the fields it " +
				"omits taking their defaults (`comment` `\"\"`, `is_public` true). The tool's `average_rating` and `rating_count` are " +
				"recounted in the same transaction. The body is read first, then the tool (404), then the caller (403), then the fields " +
				"and the caller's use of the tool (400).",
			body: bodyOf("FeedbackSubmit", true, ""),
			responses: []response{
				ok(200, "The caller's review of the tool, replaced.", ref("Feedback")),
				ok(201, "The new review.", ref("Feedback")),
				badRequest("Field errors (`rating` missing, not an integer or outside 1–5; `comment` too long; `is_public` not a boolean); " +
					"no successful use of the tool by the caller: `{\"non_field_errors\": [\"" + msgMustUse + "\"]}`; an unreadable body."),
				withJSON(403, "The caller's own tool.", ref("Detail"), detailOf(msgOwnTool)),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},
		{method: "GET", path: "/tools/feedback/", tag: tagFeedback, id: "listFeedback", paginated: true,
			summary: "List reviews",
			who:     "any user: own reviews; a creator also the reviews of its tools (private ones too); admins all",
			desc:    "Newest first. Reviews are written with `POST /api/tools/tools/{id}/submit_feedback/`.",
			params:  []*oaParameter{queryParam("tool", str(""), "Only the reviews of this tool (an id).")},
			responses: []response{
				ok(200, "A page of reviews.", ref("PaginatedFeedback")),
			}},
		{method: "GET", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "showFeedback", pathParam: idOf("review"),
			summary: "Show a review",
			who:     "as the list",
			responses: []response{
				ok(200, "The review.", ref("Feedback")),
				notFoundWhen("No such review, or one outside the caller's list."),
			}},
		{method: "PUT", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "replaceFeedback", pathParam: idOf("review"),
			summary: "Edit a review",
			who:     "its author; admins (the seed's IsOwnerOrAdmin)",
			desc:    "The tool's rating counters are recounted in the same transaction.",
			body:    bodyOf("FeedbackUpdate", true, ""),
			responses: []response{
				ok(200, "The review.", ref("Feedback")),
				badRequest("Field errors (`rating` missing, not an integer or outside 1–5; `comment` too long; `is_public` not a boolean); an unreadable body."),
				forbiddenWhen("A review in the caller's list that it did not write, for a non-admin: the tool's creator (checked before the fields)."),
				notFoundWhen("No such review, or one outside the caller's list."),
			}},
		{method: "PATCH", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "updateFeedback", pathParam: idOf("review"),
			summary: "Edit part of a review",
			who:     "its author; admins (the seed's IsOwnerOrAdmin)",
			desc:    "The tool's rating counters are recounted in the same transaction.",
			body:    bodyOf("FeedbackUpdate", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The review.", ref("Feedback")),
				badRequest("Field errors; an unreadable body."),
				forbiddenWhen("A review in the caller's list that it did not write, for a non-admin: the tool's creator (checked before the fields)."),
				notFoundWhen("No such review, or one outside the caller's list."),
			}},
		{method: "DELETE", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "deleteFeedback", pathParam: idOf("review"),
			summary: "Delete a review",
			who:     "its author; admins (moderation)",
			desc:    "The tool's rating counters are recounted in the same transaction.",
			responses: []response{
				noContent("Deleted."),
				forbiddenWhen("The creator of the review's tool, who sees the review but did not write it."),
				notFoundWhen("No such review, or one outside the caller's list."),
			}},

		// statistics
		{method: "GET", path: "/tools/tools/{id}/stats/", tag: tagStats, id: "toolStats", pathParam: idOf("tool"),
			summary: "Show a tool's statistics",
			who:     "its creator, admins (a tool-scoped API key of one of them: its tool)",
			desc: "The seed's four counters (`total_uses`, `total_revenue`, `average_rating`, `rating_count`) are the tool's lifetime ones; " +
				"`unique_users`, `creator_earnings` and `series` cover the range; `recent_usage` is the tool's last uses the caller may see. " +
				"The tool (404) and the caller (403) are checked before the range.",
			params: statsParams,
			responses: []response{
				ok(200, "The tool's statistics.", ref("ToolStats")),
				badRequest(badRange),
				forbiddenWhen("The caller can see the tool but is neither its creator nor an admin."),
				notFoundWhen("No such tool, or one the caller can't see."),
			}},
		{method: "GET", path: "/tools/usage/stats/", tag: tagStats, id: "usageStats",
			summary: "Show the caller's usage statistics",
			who:     "any user: a client its own usage; a creator the usage of its tools; an admin the platform's",
			desc: "The body depends on the caller's role, which its `role` names. Every number covers the range. Usage counts in the " +
				"bucket of its `created_at`, and so does its creator earning; points granted and new users count by their own `created_at`.",
			params: statsParams,
			responses: []response{
				ok(200, "The statistics of the caller's role.", oneOf("", ref("ClientStats"), ref("CreatorStats"), ref("PlatformStats"))),
				badRequest(badRange),
			}},

		// payouts
		{method: "GET", path: "/payouts/", tag: tagPayouts, id: "listPayouts", paginated: true,
			summary: "List payouts",
			who:     "any user: own payouts; admins all",
			desc:    "Newest first.",
			params: []*oaParameter{
				queryParam("status", enum(c.PayoutStatuses, ""), "Only payouts in this status; another value is 400."),
				queryParam("creator", str(""), "Only this creator's payouts."),
			},
			responses: []response{
				ok(200, "A page of payouts.", ref("PaginatedPayouts")),
				badRequest(choiceErr("`status`")),
			}},
		{method: "POST", path: "/payouts/", tag: tagPayouts, id: "requestPayout",
			summary: "Request a payout",
			who:     "tool creators, for themselves",
			body:    bodyOf("PayoutCreate", true, ""),
			responses: []response{
				ok(201, "The payout, REQUESTED.", ref("Payout")),
				badRequest("Field errors; `{\"amount\": [...]}` below the minimum or above what is available."),
				forbiddenWhen("Not a tool creator (checked before the body is read)."),
			}},
		{method: "GET", path: "/payouts/{id}/", tag: tagPayouts, id: "showPayout", pathParam: idOf("payout"),
			summary: "Show a payout",
			who:     "its creator, admins",
			responses: []response{
				ok(200, "The payout.", ref("Payout")),
				notFoundWhen("No such payout, or another creator's."),
			}},
		{method: "POST", path: "/payouts/{id}/approve/", tag: tagPayouts, id: "approvePayout", pathParam: idOf("payout"),
			summary: "Approve a payout",
			who:     admins,
			desc:    "REQUESTED → APPROVED. Audited as `payout.approve`.",
			body:    bodyOf("PayoutApprove", false, ""),
			responses: []response{
				ok(200, "The payout, APPROVED.", ref("Payout")),
				badRequest("Field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such payout."),
				conflict("The payout is not REQUESTED (also for every loser of concurrent decisions).", "This payout is PAID; it can be approved only when REQUESTED."),
			}},
		{method: "POST", path: "/payouts/{id}/reject/", tag: tagPayouts, id: "rejectPayout", pathParam: idOf("payout"),
			summary: "Reject a payout",
			who:     admins,
			desc:    "REQUESTED or APPROVED → REJECTED, with a note. Audited as `payout.reject`.",
			body:    bodyOf("PayoutReject", true, ""),
			responses: []response{
				ok(200, "The payout, REJECTED.", ref("Payout")),
				badRequest("`note` missing or blank; field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such payout."),
				conflict("The payout is PAID or REJECTED.", "This payout is PAID; it can be rejected only when REQUESTED or APPROVED."),
			}},
		{method: "POST", path: "/payouts/{id}/mark_paid/", tag: tagPayouts, id: "markPayoutPaid", pathParam: idOf("payout"),
			summary: "Mark a payout paid",
			who:     admins,
			desc: "APPROVED → PAID, in one transaction with a PAYOUT ledger row on the creator's `revenue` account (`total_payouts` grows): " +
				"a payout is paid at most once, whatever runs concurrently. Audited as `payout.mark_paid`.",
			body: bodyOf("PayoutMarkPaid", true, ""),
			responses: []response{
				ok(200, "The payout, PAID.", ref("Payout")),
				badRequest("`reference` missing or blank; field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such payout."),
				conflict("The payout is not APPROVED (also for every loser of a race), or the creator's pending balance no longer covers it "+
					"(refunds reversed part of it): reject it.", "This payout is PAID; it can be marked paid only when APPROVED."),
			}},

		// refunds
		{method: "GET", path: "/refunds/", tag: tagRefunds, id: "listRefunds", paginated: true,
			summary: "List refunds",
			who:     "any user: own requests; admins all",
			desc:    "Newest first.",
			params: []*oaParameter{
				queryParam("status", enum(c.RefundStatuses, ""), "Only refunds in this status; another value is 400."),
				queryParam("usage", str(""), "Only the refund of this usage."),
			},
			responses: []response{
				ok(200, "A page of refunds.", ref("PaginatedRefunds")),
				badRequest(choiceErr("`status`")),
			}},
		{method: "POST", path: "/refunds/", tag: tagRefunds, id: "requestRefund",
			summary: "Request a refund of a usage",
			who:     "the user who paid for the usage",
			desc:    "One request per usage; `amount` is the usage's `points_spent`.",
			body:    bodyOf("RefundCreate", true, ""),
			responses: []response{
				ok(201, "The refund, REQUESTED.", ref("Refund")),
				badRequest("Field errors on `usage`: someone else's or an unknown usage (`Invalid pk \"…\" - object does not exist.`), a free usage, " +
					"a usage already refunded (by a refund or as a failed call), a remote use still PENDING, the refund window passed, a second request."),
			}},
		{method: "GET", path: "/refunds/{id}/", tag: tagRefunds, id: "showRefund", pathParam: idOf("refund"),
			summary: "Show a refund",
			who:     "its requester, admins",
			responses: []response{
				ok(200, "The refund.", ref("Refund")),
				notFoundWhen("No such refund, or another user's."),
			}},
		{method: "POST", path: "/refunds/{id}/approve/", tag: tagRefunds, id: "approveRefund", pathParam: idOf("refund"),
			summary: "Approve a refund",
			who:     admins,
			desc: "REQUESTED → APPROVED, in one transaction: a REFUND row crediting the payer's `points`, a REFUND reversal on the creator's " +
				"`revenue` of at most its pending balance (the platform absorbs what was already paid out, and the ledger notes say so), the usage " +
				"marked refunded, the tool's counters corrected. A usage is refunded at most once. Audited as `refund.approve`.",
			body: bodyOf("RefundApprove", false, ""),
			responses: []response{
				ok(200, "The refund, APPROVED, with the amounts moved.", ref("Refund")),
				badRequest("Field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such refund."),
				conflict("The refund is not REQUESTED (also for every loser of a race); the usage was refunded meanwhile or is still PENDING.",
					"This refund is APPROVED; it can be approved only when REQUESTED."),
			}},
		{method: "POST", path: "/refunds/{id}/reject/", tag: tagRefunds, id: "rejectRefund", pathParam: idOf("refund"),
			summary: "Reject a refund",
			who:     admins,
			desc:    "REQUESTED → REJECTED, with a note. Audited as `refund.reject`.",
			body:    bodyOf("RefundReject", true, ""),
			responses: []response{
				ok(200, "The refund, REJECTED.", ref("Refund")),
				badRequest("`note` missing or blank; field errors."),
				forbiddenWhen("Not an admin."),
				notFoundWhen("No such refund."),
				conflict("The refund is not REQUESTED.", "This refund is APPROVED; it can be rejected only when REQUESTED."),
			}},

		// support
		{method: "GET", path: "/support/tickets/", tag: tagSupport, id: "listTickets", paginated: true,
			summary: "List tickets",
			who:     "any user: own tickets; admins all",
			desc:    "Newest first, without messages.",
			params: []*oaParameter{
				queryParam("status", enum(c.TicketStatuses, ""), "Only tickets in this status; another value is 400."),
				queryParam("priority", enum(c.TicketPriorities, ""), "Only tickets of this priority; another value is 400."),
				queryParam("assigned_to", str(""), "Only tickets assigned to this admin."),
			},
			responses: []response{
				ok(200, "A page of tickets.", ref("PaginatedTickets")),
				badRequest(choiceErr("`status` or `priority`")),
			}},
		{method: "POST", path: "/support/tickets/", tag: tagSupport, id: "openTicket",
			summary: "Open a ticket",
			who:     "any user, for itself",
			desc:    "An OPEN, unassigned ticket, with `message` as its first message when given.",
			body:    bodyOf("TicketCreate", true, ""),
			responses: []response{
				ok(201, "The ticket, with its messages.", ref("TicketDetail")),
				badRequest("Field errors."),
			}},
		{method: "GET", path: "/support/tickets/{id}/", tag: tagSupport, id: "showTicket", pathParam: idOf("ticket"),
			summary: "Show a ticket",
			who:     "its requester, admins",
			responses: []response{
				ok(200, "The ticket, with the messages the caller may read.", ref("TicketDetail")),
				notFoundWhen("No such ticket, or another user's."),
			}},
		{method: "PUT", path: "/support/tickets/{id}/", tag: tagSupport, id: "replaceTicket", pathParam: idOf("ticket"),
			summary: "Edit a ticket",
			who:     "its requester (subject, and closing it), admins (everything)",
			desc:    "Admins' changes are audited as `ticket.update`.",
			body:    bodyOf("TicketUpdate", true, ""),
			responses: []response{
				ok(200, "The ticket, with its messages.", ref("TicketDetail")),
				badRequest("Field errors; assigning to a non-admin: `{\"assigned_to\": [\"A ticket is assigned to an admin.\"]}`."),
				forbiddenWhen("The requester changing anything but the subject and closing."),
				notFoundWhen("No such ticket, or another user's."),
			}},
		{method: "PATCH", path: "/support/tickets/{id}/", tag: tagSupport, id: "updateTicket", pathParam: idOf("ticket"),
			summary: "Edit part of a ticket",
			who:     "its requester (subject, and closing it), admins (everything)",
			body:    bodyOf("TicketUpdate", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The ticket, with its messages.", ref("TicketDetail")),
				badRequest("Field errors."),
				forbiddenWhen("The requester changing anything but the subject and closing."),
				notFoundWhen("No such ticket, or another user's."),
			}},
		{method: "GET", path: "/support/tickets/{id}/messages/", tag: tagSupport, id: "listMessages", pathParam: idOf("ticket"),
			summary: "List a ticket's messages",
			who:     "its requester, admins",
			desc:    fmt.Sprintf("A bare array, oldest first, at most %d items; no internal notes for the requester.", maxBareList),
			responses: []response{
				ok(200, "The messages.", arrayOf(ref("Message"), "")),
				notFoundWhen("No such ticket, or another user's."),
			}},
		{method: "POST", path: "/support/tickets/{id}/messages/", tag: tagSupport, id: "postMessage", pathParam: idOf("ticket"),
			summary: "Write on a ticket",
			who:     "its requester (not on a CLOSED ticket), admins (internal notes too)",
			desc:    "Admins' messages are audited as `ticket.reply` or `ticket.internal_note`.",
			body:    bodyOf("MessageCreate", true, ""),
			responses: []response{
				ok(201, "The message.", ref("Message")),
				badRequest("Field errors; the requester on a CLOSED ticket: `{\"non_field_errors\": [\"This ticket is closed; open a new one.\"]}`."),
				forbiddenWhen("An internal note by a non-admin: `Only admins write internal notes.`"),
				notFoundWhen("No such ticket, or another user's."),
			}},

		// site content
		{method: "GET", path: "/content/", tag: tagContent, id: "listPages", paginated: true, access: optionally,
			summary: "List site pages",
			who:     "anyone: published pages; admins all",
			desc:    "Newest first.",
			params:  []*oaParameter{queryParam("kind", enum(c.PageKinds, ""), "Only pages of this kind; another value is 400.")},
			responses: []response{
				ok(200, "A page of site pages.", ref("PaginatedSitePages")),
				badRequest(choiceErr("`kind`")),
			}},
		{method: "POST", path: "/content/", tag: tagContent, id: "createPage",
			summary: "Create a site page",
			who:     admins,
			desc:    "Audited as `page.create`.",
			body:    bodyOf("SitePageWrite", true, ""),
			responses: []response{
				ok(201, "The page.", ref("SitePage")),
				badRequest("Field errors; a taken slug: `{\"slug\": [\"A record with this value already exists.\"]}`."),
				forbiddenWhen("Not an admin (checked before the body is read)."),
			}},
		{method: "GET", path: "/content/{slug}/", tag: tagContent, id: "showPage", access: optionally, pathParam: "The page's slug.",
			summary: "Show a site page",
			who:     "anyone: a published page; admins any",
			responses: []response{
				ok(200, "The page.", ref("SitePage")),
				notFoundWhen("No such page, or a draft for a non-admin."),
			}},
		{method: "PUT", path: "/content/{slug}/", tag: tagContent, id: "replacePage", pathParam: "The page's slug.",
			summary: "Edit a site page",
			who:     admins,
			desc:    "Audited as `page.update`.",
			body:    bodyOf("SitePageWrite", true, ""),
			responses: []response{
				ok(200, "The page.", ref("SitePage")),
				badRequest("Field errors."),
				forbiddenWhen("Not an admin (for a published page; a draft is 404)."),
				notFoundWhen("No such page, or a draft for a non-admin."),
			}},
		{method: "PATCH", path: "/content/{slug}/", tag: tagContent, id: "updatePage", pathParam: "The page's slug.",
			summary: "Edit part of a site page",
			who:     admins,
			desc:    "Audited as `page.update`.",
			body:    bodyOf("SitePageWrite", true, "Any subset of the fields."),
			responses: []response{
				ok(200, "The page.", ref("SitePage")),
				badRequest("Field errors."),
				forbiddenWhen("Not an admin (for a published page; a draft is 404)."),
				notFoundWhen("No such page, or a draft for a non-admin."),
			}},
		{method: "DELETE", path: "/content/{slug}/", tag: tagContent, id: "deletePage", pathParam: "The page's slug.",
			summary: "Delete a site page",
			who:     admins,
			desc:    "Audited as `page.delete`.",
			responses: []response{
				noContent("Deleted."),
				forbiddenWhen("Not an admin (for a published page; a draft is 404)."),
				notFoundWhen("No such page, or a draft for a non-admin."),
			}},

		// audit log
		{method: "GET", path: "/audit-log/", tag: tagAudit, id: "listAudit", paginated: true,
			summary: "List audit rows",
			who:     admins,
			desc:    "Newest first.",
			params: []*oaParameter{
				queryParam("action", str(""), "An action (`payout.mark_paid`), or a prefix ending in `.` (`payout.`)."),
				queryParam("actor", str(""), "Only rows of this actor (an id)."),
				queryParam("target", str(""), "Only rows about this target (`collection/id`)."),
			},
			responses: []response{
				ok(200, "A page of audit rows.", ref("PaginatedAuditRows")),
				forbiddenWhen("Not an admin."),
			}},

		// this description
		{method: "GET", path: openAPIPath, tag: tagOpenAPI, id: "openAPI", access: public,
			summary: "This OpenAPI description",
			who:     "anyone",
			desc:    "Rendered for people at `/docs/`.",
			responses: []response{
				ok(200, "The OpenAPI 3.1 document.", ref("OpenAPIDocument")),
			}},
	}
}
