package hooks

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fetchOpenAPI serves a fresh app and returns its base URL and the served
// description, parsed.
func fetchOpenAPI(t *testing.T) (string, map[string]any) {
	t.Helper()
	base, doc, _ := fetchOpenAPIOf(t)
	return base, doc
}

// fetchOpenAPIOf is fetchOpenAPI, and the services of the app served.
func fetchOpenAPIOf(t *testing.T) (string, map[string]any, *toolbase) {
	t.Helper()
	app, tb := newTestBase(t)
	base := serve(t, app)
	res, err := http.Get(base + "/api/docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/docs/openapi.json (anonymous): %d %s\n%.300s", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the description is not JSON: %v", err)
	}
	return base, doc, tb
}

// operations returns "METHOD path" → operation of doc.
func operations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			out[strings.ToUpper(method)+" "+path] = op.(map[string]any)
		}
	}
	return out
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	base, doc := fetchOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == "" || info["version"] == "" {
		t.Errorf("info: %v", info)
	}
	// other methods answer DRF's 405, like every DRF route
	res, err := http.Post(base+"/api/docs/openapi.json", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(string(body), `"detail":"Method \"POST\" not allowed."`) {
		t.Errorf("POST /api/docs/openapi.json: %d %s", res.StatusCode, body)
	}
}

// Every registered route and method is described, and nothing else is.
func TestOpenAPICoversDRFRoutes(t *testing.T) {
	t.Parallel()
	_, doc, tb := fetchOpenAPIOf(t)
	ops := operations(t, doc)
	registered := map[string]bool{}
	for path, methods := range tb.DRFRoutes() {
		for _, m := range methods {
			registered[m+" "+path] = true
		}
	}
	if len(registered) < 50 {
		t.Fatalf("only %d registered routes: was the router built?", len(registered))
	}
	var missing, stale []string
	for r := range registered {
		if ops[r] == nil {
			missing = append(missing, r)
		}
	}
	for r := range ops {
		if !registered[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, r := range missing {
		t.Errorf("registered but not described: %s", r)
	}
	for _, r := range stale {
		t.Errorf("described but not registered: %s", r)
	}
}

func TestOpenAPIOperations(t *testing.T) {
	t.Parallel()
	_, doc := fetchOpenAPI(t)
	tags := map[string]bool{}
	for _, tag := range doc["tags"].([]any) {
		tag := tag.(map[string]any)
		if tag["description"] == "" {
			t.Errorf("tag %v has no description", tag["name"])
		}
		tags[tag["name"].(string)] = true
	}
	ids := map[string]string{}
	for route, op := range operations(t, doc) {
		t.Run(route, func(t *testing.T) {
			if s, _ := op["summary"].(string); s == "" {
				t.Error("no summary")
			}
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Error("no operationId")
			} else if other, dup := ids[id]; dup {
				t.Errorf("operationId %s also names %s", id, other)
			}
			ids[id] = route
			opTags, _ := op["tags"].([]any)
			if len(opTags) != 1 || !tags[fmt.Sprint(opTags[0])] {
				t.Errorf("tags %v: want one of the document's tags", opTags)
			}

			responses, _ := op["responses"].(map[string]any)
			var has2xx bool
			for status, r := range responses {
				if strings.HasPrefix(status, "2") {
					has2xx = true
				}
				if d, _ := resolve(t, doc, r).(map[string]any)["description"].(string); d == "" {
					t.Errorf("response %s has no description", status)
				}
			}
			if !has2xx {
				t.Error("no 2xx response")
			}
			need := func(status, why string) {
				if responses[status] == nil {
					t.Errorf("no %s response (%s)", status, why)
				}
			}
			security, hasSecurity := op["security"].([]any)
			if !hasSecurity || len(security) > 0 {
				need("401", "it takes credentials")
				need("403", "superusers and tool-scoped keys are refused")
			}
			if op["requestBody"] != nil {
				need("400", "it reads a body")
				need("413", "it reads a body")
				need("415", "it reads a body")
			}

			// the path's parameters are declared, as path parameters
			path := strings.SplitN(route, " ", 2)[1]
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				p := resolve(t, doc, p).(map[string]any)
				if p["in"] == "path" {
					declared[p["name"].(string)] = true
					if p["required"] != true {
						t.Errorf("path parameter %v is not required", p["name"])
					}
				}
				if p["name"] == "page" {
					need("404", "a page past the end")
				}
			}
			for _, name := range pathParams(path) {
				if !declared[name] {
					t.Errorf("path parameter {%s} is not declared", name)
				}
				need("404", "it names an object")
				delete(declared, name)
			}
			if len(declared) > 0 {
				t.Errorf("declares path parameters the path lacks: %v", declared)
			}
		})
	}
}

// Every $ref resolves.
func TestOpenAPIRefsResolve(t *testing.T) {
	t.Parallel()
	_, doc := fetchOpenAPI(t)
	var refs int
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				refs++
				if _, err := lookup(doc, r); err != nil {
					t.Errorf("%s: $ref %s: %v", at, r, err)
				}
			}
			for k, x := range v {
				walk(at+"/"+k, x)
			}
		case []any:
			for i, x := range v {
				walk(at+"/"+strconv.Itoa(i), x)
			}
		}
	}
	walk("#", doc)
	if refs < 100 {
		t.Errorf("only %d $refs: is the walk right?", refs)
	}
	// and the security requirements name the document's schemes
	schemes := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	check := func(at string, reqs []any) {
		for _, r := range reqs {
			for name := range r.(map[string]any) {
				if schemes[name] == nil {
					t.Errorf("%s: unknown security scheme %s", at, name)
				}
			}
		}
	}
	check("#/security", doc["security"].([]any))
	for route, op := range operations(t, doc) {
		if s, ok := op["security"].([]any); ok {
			check(route, s)
		}
	}
}

// lookup resolves a local JSON pointer in doc.
func lookup(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference")
	}
	var v any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := v.(map[string]any)
		if !ok || m[part] == nil {
			return nil, fmt.Errorf("no %q", part)
		}
		v = m[part]
	}
	return v, nil
}

func resolve(t *testing.T, doc map[string]any, v any) any {
	t.Helper()
	for {
		m, ok := v.(map[string]any)
		if !ok || m["$ref"] == nil {
			return v
		}
		next, err := lookup(doc, m["$ref"].(string))
		if err != nil {
			t.Fatalf("$ref %v: %v", m["$ref"], err)
		}
		v = next
	}
}

// TestOpenAPIMatchesAnswers calls every described operation as each kind of
// caller, with real ids and the body's documented example, and checks that the status
// it answers is one the description lists and that the body fits the schema
// described for it (with no field the schema lacks). It catches a wrong
// security requirement, an undocumented status, and a representation that
// drifted from its description.
func TestOpenAPIMatchesAnswers(t *testing.T) {
	t.Parallel()
	base, doc := fetchOpenAPI(t)
	ops := operations(t, doc)
	routes := make([]string, 0, len(ops))
	for r := range ops {
		routes = append(routes, r)
	}
	// writes after reads, deletes last, so that reads see the fixtures
	rank := map[string]int{"GET": 0, "POST": 1, "PUT": 2, "PATCH": 2, "DELETE": 3}
	sort.Slice(routes, func(i, j int) bool {
		mi, pi, _ := strings.Cut(routes[i], " ")
		mj, pj, _ := strings.Cut(routes[j], " ")
		if rank[mi] != rank[mj] {
			return rank[mi] < rank[mj]
		}
		return pi < pj
	})
	// setup posts body as auth and decodes the object it answers with want.
	setup := func(path, auth, body string, want int) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var obj map[string]any
		if err := json.NewDecoder(res.Body).Decode(&obj); err != nil || res.StatusCode != want {
			t.Fatalf("POST %s: %d %v %v", path, res.StatusCode, obj, err)
		}
		return obj
	}
	// a review to act on, by the client, who must have used the tool first
	// (the use also gives the statistics' lists an item to check)
	setup("/api/tools/tools/"+fx.active+"/use/", fx.client.auth, `{}`, http.StatusOK)
	review := setup("/api/tools/tools/"+fx.active+"/submit_feedback/", fx.client.auth, `{"rating": 3}`, http.StatusCreated)
	ids := map[string]string{
		"/api/users/users/":    fx.client.id,
		"/api/tools/tools/":    fx.active,
		"/api/tools/usage/":    "nousage0000000",
		"/api/tools/feedback/": review["id"].(string),
		"/api/content/":        "about",
		"/api/payouts/":        "nopayout000000",
		"/api/refunds/":        "norefund000000",
		"/api/support/":        "noticket000000",
		"/api/tools/api-keys/": "nokey000000000",
	}
	newKey := func(auth, body string) string {
		key := setup("/api/tools/api-keys/", auth, body, http.StatusCreated)
		return "Api-Key " + key["api_key"].(string)
	}
	type caller struct {
		name, auth  string
		key, scoped bool
	}
	callers := []caller{{"anonymous", "", false, false}, {"client", fx.client.auth, false, false},
		{"creator", fx.creator.auth, false, false}, {"admin", fx.admin.auth, false, false},
		{"client's API key", newKey(fx.client.auth, `{"key_name": "probe"}`), true, false},
		{"client's key scoped to a tool", newKey(fx.client.auth, `{"key_name": "scoped probe", "tool": "`+fx.active+`"}`), true, true},
		{"creator's key scoped to its tool", newKey(fx.creator.auth, `{"key_name": "scoped probe", "tool": "`+fx.active+`"}`), true, true}}
	// what a key scoped to a tool may call (the security schemes' description);
	// its owner's role and the rules still apply there (a client's key is 403
	// on stats/ as its owner is), so only the scope's own refusal tells
	scopedOps := map[string]bool{"useTool": true, "showTool": true, "toolStats": true, "listUsage": true, "myUsage": true, "showUsage": true}

	schemas := newResponseSchemas(t, doc)
	seen, created := map[string]bool{}, map[string]bool{}
	for _, route := range routes {
		op := ops[route]
		method, path, _ := strings.Cut(route, " ")
		url := path
		for prefix, id := range ids {
			if strings.HasPrefix(path, prefix) {
				url = strings.NewReplacer("{id}", id, "{slug}", id).Replace(url)
			}
		}
		for _, caller := range callers {
			var body io.Reader
			if rb, _ := op["requestBody"].(map[string]any); rb != nil {
				example := rb["content"].(map[string]any)["application/json"].(map[string]any)["example"]
				if example == nil {
					example = map[string]any{}
				}
				raw, _ := json.Marshal(example)
				body = strings.NewReader(string(raw))
			}
			req, err := http.NewRequest(method, base+url, body)
			if err != nil {
				t.Fatal(err)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			if caller.auth != "" {
				req.Header.Set("Authorization", caller.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			status := strconv.Itoa(res.StatusCode)
			seen[status] = true
			where := fmt.Sprintf("%s %s as %s: %s", method, url, caller.name, status)

			security, hasSecurity := op["security"].([]any)
			open := hasSecurity && (len(security) == 0 || slices.ContainsFunc(security, func(s any) bool { return len(s.(map[string]any)) == 0 }))
			if caller.key && open {
				continue // keys on public routes: see the description's introduction
			}
			tokenOnly := hasSecurity && !slices.ContainsFunc(security, func(s any) bool {
				_, ok := s.(map[string]any)["apiKeyHeader"]
				return ok
			})
			outOfScope := status == "403" && strings.Contains(string(raw), msgKeyOutOfScope)
			switch {
			case caller.key && tokenOnly && status != "403":
				t.Errorf("%s: described as refusing API keys, but not 403", where)
			case caller.scoped && !scopedOps[op["operationId"].(string)] && !outOfScope:
				t.Errorf("%s: a scoped key outside its scope, but not refused for it\n%.200s", where, raw)
			case caller.scoped && scopedOps[op["operationId"].(string)] && outOfScope:
				t.Errorf("%s: a scoped key within its scope, but refused for it", where)
			}
			switch {
			case caller.auth == "" && !open && status != "401":
				t.Errorf("%s: described as needing a credential, but not 401", where)
			case caller.auth == "" && open && status == "401" && strings.Contains(string(raw), msgNotAuthenticated):
				t.Errorf("%s: described as open to anyone, but 401", where)
			}
			r, ok := op["responses"].(map[string]any)[status]
			if !ok {
				t.Errorf("%s is not among the documented responses\n%.300s", where, raw)
				continue
			}
			content, _ := resolve(t, doc, r).(map[string]any)["content"].(map[string]any)
			if content == nil {
				if len(raw) > 0 {
					t.Errorf("%s: documented without a body, answered %.200s", where, raw)
				}
				continue
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Errorf("%s: not JSON: %.200s", where, raw)
				continue
			}
			// later calls act on the first object a create made
			if obj, _ := v.(map[string]any); status == "201" && obj["id"] != nil {
				for _, prefix := range []string{"/api/support/", "/api/tools/api-keys/"} {
					if strings.HasPrefix(path, prefix) && !created[prefix] {
						ids[prefix], created[prefix] = obj["id"].(string), true
					}
				}
			}
			if err := schemas.validate(responsePointer(r, path, method, status), raw); err != nil {
				t.Errorf("%s: %v\n%.400s", where, err, raw)
			}
		}
	}
	// the probe is only worth something if it reached the handlers
	for _, s := range []string{"200", "201", "204", "400", "401", "403", "404"} {
		if !seen[s] {
			t.Errorf("no call answered %s", s)
		}
	}
}

// responseSchemas compiles the response schemas of the served description
// with a JSON Schema validator (draft 2020-12, formats asserted), so that
// types, required fields, enum, pattern, maxLength, minimum and format are all
// enforced. As toolbase's views never add fields the description does not
// name, every object schema with properties is closed (additionalProperties
// false unless it says otherwise) before compiling.
type responseSchemas struct {
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

func newResponseSchemas(t *testing.T, doc map[string]any) *responseSchemas {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	closed, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	closeObjects(closed)
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	compiler.AssertFormat()
	if err := compiler.AddResource(openAPIResource, closed); err != nil {
		t.Fatal(err)
	}
	return &responseSchemas{compiler: compiler, compiled: map[string]*jsonschema.Schema{}}
}

const openAPIResource = "toolbase:openapi.json"

// closeObjects sets additionalProperties false on every schema object that
// lists properties and says nothing of others.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["properties"].(map[string]any); ok {
			if _, set := v["additionalProperties"]; !set {
				v["additionalProperties"] = false
			}
		}
		for _, x := range v {
			closeObjects(x)
		}
	case []any:
		for _, x := range v {
			closeObjects(x)
		}
	}
}

// validate checks a JSON body against the schema of the response at pointer
// (a JSON pointer into the description, to a response object).
func (s *responseSchemas) validate(pointer string, body []byte) error {
	loc := openAPIResource + "#" + pointer + "/content/application~1json/schema"
	sch, ok := s.compiled[loc]
	if !ok {
		var err error
		if sch, err = s.compiler.Compile(loc); err != nil {
			return fmt.Errorf("compiling %s: %w", loc, err)
		}
		s.compiled[loc] = sch
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// responsePointer is the JSON pointer of the response r documented at
// doc's path, method and status, following a $ref to a shared response.
func responsePointer(r any, path, method, status string) string {
	if ref, ok := r.(map[string]any)["$ref"].(string); ok {
		return strings.TrimPrefix(ref, "#")
	}
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	return "/paths/" + esc.Replace(path) + "/" + strings.ToLower(method) + "/responses/" + status
}

// The description builds (viewOf and operation panic on a description that
// disagrees with the code) and encodes.
func TestOpenAPIBuilds(t *testing.T) {
	t.Parallel()
	if _, err := json.Marshal(OpenAPI()); err != nil {
		t.Fatal(err)
	}
}

// The docs page works offline: its files load nothing from another host (no
// CDN), and the page loads its script and style from beside it.
func TestDocsPageSelfContained(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../pb_public/docs/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs page files: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "://") {
			t.Errorf("%s names another host (%q): the page must work offline", f, "://")
		}
	}
	page, err := os.ReadFile("../pb_public/docs/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`src="docs.js"`, `href="docs.css"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("index.html lacks %s", want)
		}
		name := strings.TrimSuffix(strings.SplitN(want, `"`, 3)[1], `"`)
		if _, err := os.Stat(filepath.Join("../pb_public/docs", name)); err != nil {
			t.Error(err)
		}
	}
	if js, _ := os.ReadFile("../pb_public/docs/docs.js"); !strings.Contains(string(js), drfPrefix+openAPIPath) {
		t.Errorf("docs.js does not fetch %s", drfPrefix+openAPIPath)
	}
}
