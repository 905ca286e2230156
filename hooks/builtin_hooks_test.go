package hooks

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
	"toolbase/hooks/builtin"
)

// builtinCall sends a JSON request to a served test app and decodes the answer.
func builtinCall(t *testing.T, base, method, path, auth string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return res.StatusCode, out
}

// makeBuiltin makes the fixture tool id the built-in name, as an admin through the DRF route.
func makeBuiltin(t *testing.T, base, id, name string) {
	t.Helper()
	if status, body := builtinCall(t, base, http.MethodPatch, "/api/tools/tools/"+id+"/", fx.admin.auth, map[string]any{"api_endpoint": builtin.Address(name)}); status != 200 {
		t.Fatalf("admin sets a built-in: %d %v", status, body)
	}
}

// A built-in's use through POST /api/tools/tools/{id}/use/: charged like any
// use, settled with the built-in's real output.
func TestBuiltinUseRoute(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	makeBuiltin(t, base, fx.active, "json-format")

	status, body := builtinCall(t, base, http.MethodPost, "/api/tools/tools/"+fx.active+"/use/", fx.client.auth,
		map[string]any{"input_data": map[string]any{"json": `{"b": [1, 2], "a": null}`}})
	if status != 200 || body["success"] != true || body["state"] != c.StateSucceeded {
		t.Fatalf("use: %d %v", status, body)
	}
	out, _ := body["output_data"].(map[string]any)
	if out["formatted"] != "{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": null\n}" || out["valid"] != true {
		t.Errorf("output_data %v", body["output_data"])
	}
	if body["points_spent"] != float64(activeCost) || body["remaining_points"] != float64(fixturePoints-activeCost) {
		t.Errorf("charged %v, remaining %v", body["points_spent"], body["remaining_points"])
	}
	id, _ := body["usage_id"].(string)
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxUsage: id}); n != 2 {
		t.Errorf("%d ledger rows for the use, want 2 (USAGE and EARNING)", n)
	}
	// the usage as stored, as the usage routes show it
	status, usage := builtinCall(t, base, http.MethodGet, "/api/tools/usage/"+id+"/", fx.client.auth, nil)
	if status != 200 || usage["output_data"].(map[string]any)["minified"] != `{"b":[1,2],"a":null}` {
		t.Errorf("usage %d %v", status, usage)
	}
	mustVerify(t, app)
}

// A failing built-in (invalid JSON to the formatter) is a failed use,
// refunded exactly once, like a remote failure; a replay refunds nothing more.
func TestBuiltinFailureRefundedOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	makeBuiltin(t, base, fx.active, "json-format")

	use := func() (int, map[string]any) {
		return builtinCall(t, base, http.MethodPost, "/api/tools/tools/"+fx.active+"/use/", fx.client.auth,
			map[string]any{"input_data": map[string]any{"json": `{"a": 1,, }`}}, "Idempotency-Key", "bad-json-1")
	}
	status, body := use()
	msg, _ := body["error_message"].(string)
	if status != 200 || body["success"] != false || body["state"] != c.StateFailed || !strings.HasPrefix(msg, "input_data.json is not valid JSON") {
		t.Fatalf("use: %d %v", status, body)
	}
	if body["output_data"] != nil || body["remaining_points"] != float64(fixturePoints) {
		t.Errorf("output %v, remaining %v: want null and the points back", body["output_data"], body["remaining_points"])
	}
	id, _ := body["usage_id"].(string)
	for range 2 {
		if status, again := use(); status != 200 || again["usage_id"] != id {
			t.Fatalf("replay: %d %v", status, again)
		}
	}
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxUsage: id, c.TxKind: c.KindRefund}); n != 2 {
		t.Errorf("%d REFUND rows, want 2 (the payer's and the creator's), once", n)
	}
	if b := balance(t, app, fx.client.id); b != fixturePoints {
		t.Errorf("balance %d, want %d", b, fixturePoints)
	}
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	if tl := c.AsTool(tool); tl.TotalUses() != 0 || tl.TotalRevenue() != 0 {
		t.Errorf("tool counters %d/%d after a refunded use", tl.TotalUses(), tl.TotalRevenue())
	}
	mustVerify(t, app)
}

// Creators cannot register built-ins, on either surface; admins can, and only
// existing ones; a built-in's creator keeps it through its other edits.
func TestBuiltinEndpointOnlyByAdmins(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	hash := builtin.Address("hash")
	refused := func(what string, status int, body map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(body)
		if status != 400 || !strings.Contains(string(raw), "api_endpoint") || !strings.Contains(string(raw), "admins") {
			t.Errorf("%s: %d %s, want 400 on api_endpoint", what, status, raw)
		}
	}
	status, body := builtinCall(t, base, http.MethodPatch, "/api/tools/tools/"+fx.draft+"/", fx.creator.auth, map[string]any{"api_endpoint": hash})
	refused("DRF PATCH by its creator", status, body)
	status, body = builtinCall(t, base, http.MethodPost, "/api/tools/tools/", fx.creator.auth, map[string]any{"name": "mine", "api_endpoint": hash})
	refused("DRF create by a creator", status, body)
	status, body = builtinCall(t, base, http.MethodPatch, "/api/collections/tools/records/"+fx.draft, fx.creator.auth, map[string]any{"api_endpoint": "HTTPS://Builtin.Invalid./wordcount"})
	refused("records API update by its creator", status, body)
	status, body = builtinCall(t, base, http.MethodPost, "/api/collections/tools/records", fx.creator.auth, map[string]any{"name": "mine", "creator": fx.creator.id, "api_endpoint": hash})
	refused("records API create by a creator", status, body)
	if tool, _ := app.FindRecordById(c.Tools, fx.draft); c.AsTool(tool).APIEndpoint() != "" {
		t.Errorf("the draft's endpoint is %q", c.AsTool(tool).APIEndpoint())
	}

	// an admin: an unknown built-in is refused, a known one accepted
	status, body = builtinCall(t, base, http.MethodPatch, "/api/tools/tools/"+fx.draft+"/", fx.admin.auth, map[string]any{"api_endpoint": builtin.Address("rot13")})
	if raw, _ := json.Marshal(body); status != 400 || !strings.Contains(string(raw), `no built-in tool named \"rot13\"`) {
		t.Errorf("unknown built-in: %d %s", status, raw)
	}
	status, body = builtinCall(t, base, http.MethodPatch, "/api/collections/tools/records/"+fx.draft, fx.admin.auth, map[string]any{"api_endpoint": hash})
	if status != 200 || body["api_endpoint"] != hash {
		t.Fatalf("admin through the records API: %d %v", status, body)
	}
	// its creator edits it (the address is kept), tries it, then moves it to its own endpoint
	status, body = builtinCall(t, base, http.MethodPatch, "/api/tools/tools/"+fx.draft+"/", fx.creator.auth, map[string]any{"name": "Hasher", "api_endpoint": hash})
	if status != 200 || body["api_endpoint"] != hash || body["name"] != "Hasher" {
		t.Errorf("creator's edit of its built-in: %d %v", status, body)
	}
	status, body = builtinCall(t, base, http.MethodPost, "/api/tools/tools/"+fx.draft+"/use/", fx.creator.auth, map[string]any{"input_data": map[string]any{"text": "abc"}})
	if out, _ := body["output_data"].(map[string]any); status != 200 || out["hex"] != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("creator tries its built-in: %d %v", status, body)
	}
	status, body = builtinCall(t, base, http.MethodPatch, "/api/tools/tools/"+fx.draft+"/", fx.creator.auth, map[string]any{"api_endpoint": "https://tools.example.com/hash"})
	if status != 200 || body["api_endpoint"] != "https://tools.example.com/hash" {
		t.Errorf("creator moves off the built-in: %d %v", status, body)
	}
}

// seed --demo's tools are built-ins, and each answers its documented input
// (the demo tools are made here as seed --demo makes them, by toolbase itself).
func TestDemoToolsRun(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	auth := fx.client.auth
	inputs := map[string]struct {
		input map[string]any
		field string
		want  any
	}{
		"Word Counter":     {map[string]any{"text": "one two three"}, "words", float64(3)},
		"JSON Formatter":   {map[string]any{"json": `[1,2]`}, "minified", "[1,2]"},
		"Markdown to HTML": {map[string]any{"markdown": "**hi**"}, "html", "<p><strong>hi</strong></p>\n"},
		"Hash Generator":   {map[string]any{"text": "abc", "algorithm": "sha1"}, "hex", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		"Unit Converter":   {map[string]any{"value": 0, "from": "c", "to": "k"}, "result", 273.15},
	}
	for _, d := range demoTools {
		tool, err := createTool(app, fx.creator2.id, c.StatusActive, d.cost)
		if err != nil {
			t.Fatal(err)
		}
		tool.Set(c.ToolAPIEndpoint, builtin.Address(d.builtin))
		if err := app.Save(tool); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		in, ok := inputs[d.name]
		if !ok {
			t.Errorf("%s: no test input", d.name)
			continue
		}
		status, body := builtinCall(t, base, http.MethodPost, "/api/tools/tools/"+tool.Id+"/use/", auth, map[string]any{"input_data": in.input})
		out, _ := body["output_data"].(map[string]any)
		if status != 200 || body["success"] != true || out[in.field] != in.want {
			t.Errorf("%s: %d %v, want %s = %v", d.name, status, body, in.field, in.want)
		}
	}
	mustVerify(t, app)
}
