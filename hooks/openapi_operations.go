package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	c "toolbase/collections"
)

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

// bodyOf is a JSON request body, described by the spec its route reads it
// with; forms and multipart data carrying the same flat fields are read too.
func bodyOf(b *bodySpec, required bool, desc string) *oaRequestBody {
	return &oaRequestBody{Description: desc, Required: required, spec: b, Content: map[string]oaMediaType{
		"application/json": {Schema: ref(b.name), Example: bodyExamples[b.name]},
	}}
}

// noFieldsBody is a body of no fields (read and ignored).
var noFieldsBody = &bodySpec{name: "Empty", desc: "An empty object."}

// describeBody adds the schema of b, and those of the specs it nests, to
// the components (once: a name is one schema).
func describeBody(schemas *ordered[*schema], b *bodySpec) {
	s := b.schema()
	if have, ok := schemas.vals[b.name]; ok {
		a, _ := json.Marshal(have)
		z, _ := json.Marshal(s)
		if !bytes.Equal(a, z) {
			panic("openapi: two schemas named " + b.name)
		}
	}
	schemas.set(b.name, s)
	for _, fd := range b.fields {
		if fd.nested != nil {
			describeBody(schemas, fd.nested)
		}
	}
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
