package hooks

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// The DRF API's OpenAPI 3.1 description, served at GET /api/docs/openapi.json
// and rendered by pb_public/docs/.
//
// It is built in Go rather than kept as a JSON file, so that it says what the
// code does: the representations' fields are read from the structs the
// handlers answer with (viewOf), and the limits, enumerations and messages
// are the constants the handlers use. Its test checks that it names every
// route registered with route() and no other.

// openAPIPath is where the description is served, under drfPrefix.
const openAPIPath = "/docs/openapi.json"

// bindDocsRoutes serves the description on the public group and records the
// route with the DRF routes (it documents itself). The path has no trailing
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
	public.routes.add(drfPrefix+openAPIPath, []string{http.MethodGet})
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

const openAPIIntro = `The REST API of the Django REST Framework + SimpleJWT platform that toolbase replaces ("the DRF API"), route for route: clients written for it work unchanged. PocketBase's own API (` + "`/api/collections/{name}/records`" + `, realtime, batch, the dashboard at ` + "`/_/`" + `) is documented by PocketBase and not here.

**Authentication.** ` + "`Authorization: Bearer <access>`" + ` with an access token from ` + "`POST /api/token/`" + `, or an API key: ` + "`Authorization: Api-Key <key>`" + ` or ` + "`X-API-Key: <key>`" + `. Send one credential: a key together with another credential is 400 ` + "`{\"detail\": \"" + msgTwoCreds + "\"}`" + `. A key refused (unknown, inactive, expired, deleted) is 401 on any route under ` + "`/api/`" + `, public ones included, and a key scoped to one tool is 403 on every route but that tool's use, detail and statistics and the usage reads. Routes are authenticated unless they say otherwise.

**Errors** are Django REST Framework's:
- ` + "`{\"detail\": \"...\"}`" + ` for 401, 403, 404, 405, 409, 413, 415, 422 and 429 (401 for a bad token adds ` + "`\"code\": \"token_not_valid\"`" + `);
- 400 with field errors ` + "`{\"field\": [\"message\", ...]}`" + ` and ` + "`non_field_errors`" + ` for invalid input; 400 ` + "`{\"detail\": \"JSON parse error - the body is not valid JSON.\"}`" + ` for malformed JSON;
- 401 without or with a bad credential; 403 when authenticated but not allowed; 404 for an object that does not exist or that the caller may not see (no existence leak);
- any method a route lacks: 405 ` + "`{\"detail\": \"Method \\\"X\\\" not allowed.\"}`" + ` with an ` + "`Allow`" + ` header. Role-restricted routes answer 403 before 405.

**Bodies** are JSON objects (flat bodies may also be sent as ` + "`application/x-www-form-urlencoded`" + ` or ` + "`multipart/form-data`" + `), at most 256 KiB (72 KiB for a use): more is 413, another Content-Type 415. Read-only and unknown fields are ignored; a wrong type is 400. PUT needs the required fields, PATCH takes any subset.

**Lists.** Model lists are paginated: ` + "`{count, next, previous, results}`" + `, ` + "`?page=N`" + ` (or ` + "`last`" + `) and ` + "`?page_size=`" + ` (default 20, at most 100), newest first unless said otherwise. The DRF API's extra list actions (` + "`search/`, `my_tools/`, `my_usage/`, `clients/`, `tool-creators/`, a tool's `feedback/`, a ticket's `messages/`" + `) return bare JSON arrays of at most 1000 items.

**Values.** Times are RFC 3339 UTC with milliseconds (` + "`2025-01-01T10:00:00.000Z`" + `); ` + "`execution_time`" + ` is a DRF duration (` + "`\"00:00:00.100000\"`" + `). Ids are PocketBase record ids. Amounts of points are whole numbers.

A readable rendering of this description is served at [/docs/](/docs/).`

// OpenAPI returns the description of the DRF API.
func OpenAPI() *oaDocument {
	doc := &oaDocument{
		OpenAPI:           "3.1.0",
		JSONSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
		Info: oaInfo{
			Title:       "toolbase DRF API",
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

	for _, spec := range drfOperations() {
		if spec.body != nil {
			describeBody(doc.Components.Schemas, spec.body.spec)
		}
		if spec.method == http.MethodPatch && spec.body != nil {
			spec.body = patchedBody(doc.Components.Schemas, spec.body)
		}
		path := drfPrefix + spec.path
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
