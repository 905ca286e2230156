package hooks

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// FuzzDRFWriteBodies sends arbitrary bodies to every write route of the DRF
// API (as registered, so a new route is covered the day it is added), as an
// admin and as a client: whatever the input, the answer is never a 5xx and is
// JSON. `make test` runs it on its seeds; `make fuzz` explores.
func FuzzDRFWriteBodies(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `1e400`, `{"a":`, `{"a":1}}`, "\xff\xfe", `{"a":` + strings.Repeat("[", 10000) + `}`,
		`{"name":"X","points_cost":1e400}`, `{"points_cost":"9007199254740993"}`, `{"tags":[null]}`, `{"status":1}`,
		`{"status":"ACTIVE","creator":"x","total_uses":5}`, `{"api_endpoint":"https://[::1"}`, `{"name":"\ud800\u0000"}`,
		`{"email":null,"password":null}`, `{"email":"client@test.example","password":"fixture-pass-1"}`,
		`{"email":"a@b.example","username":"ab","password":"s3cret-pass","password_confirm":"s3cret-pass","profile":{"skills":["x"]}}`,
		`{"profile":{"website":{"a":1},"skills":[1,2],"email_notifications":"x"}}`, `{"role":"ADMIN","points_balance":-1}`,
		`{"refresh":"a.b.c","token":"eyJhbGciOiJub25lIn0.e30."}`, `{"points":-5,"reason":7}`, `{"points":1e9}`,
		`{"input_data":{"a":[1,{"b":null}]}}`, `{"input_data":"x"}`, `{"key_name":"k","tool":12,"expires_at":"tomorrow"}`,
		`{"grace_seconds":86401}`, `{"rating":6,"comment":null}`, `{"amount":"100","method":[]}`, `{"usage":"x","reason":""}`,
		`{"subject":"","priority":"URGENT","body":{}}`, `{"slug":"../x","published":"yes"}`,
	} {
		f.Add(seed)
	}
	s := newServer(f)
	var routes []struct{ method, url string }
	for path, methods := range s.tb.DRFRoutes() {
		for _, m := range methods {
			if slices.Contains([]string{http.MethodPost, http.MethodPut, http.MethodPatch}, m) {
				routes = append(routes, struct{ method, url string }{m, withFixtureIDs(path)})
			}
		}
	}
	if len(routes) < 20 {
		f.Fatalf("only %d write routes registered", len(routes))
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range routes {
			for _, auth := range []string{fx.admin.auth, fx.client.auth} {
				status, out := s.doRaw(r.method, r.url, body, auth, "")
				if status >= 500 || (status != http.StatusNoContent && !json.Valid(out)) {
					t.Fatalf("%s %s with %q: %d %s", r.method, r.url, body, status, out)
				}
			}
		}
	})
}

// withFixtureIDs fills a route's path parameters with fixture records, so
// that bodies reach the code that reads them (unknown ids end at a 404).
func withFixtureIDs(path string) string {
	id := "nosuchrecord123"
	switch {
	case strings.HasPrefix(path, "/api/tools/tools/{id}"):
		id = fx.active
	case strings.HasPrefix(path, "/api/users/users/{id}"):
		id = fx.client2.id
	}
	return strings.NewReplacer("{id}", id, "{slug}", "no-such-page").Replace(path)
}
