package hooks

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
)

// TestKeySecretShownOnce creates a key and reads it every way there is: the
// secret is in the create response and in no other.
func TestKeySecretShownOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	su := map[string]string{"Authorization": superuserAuth(t, app)}

	status, created, hdr := call(t, http.MethodPost, base+keysURL, bearer(fx.client), `{"key_name":"batch job","tool":null,"daily_limit":5}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, created)
	}
	if hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("create response is cacheable: %q", hdr.Get("Cache-Control"))
	}
	k := decode(t, created)
	secret, _ := k["api_key"].(string)
	if !secretPattern.MatchString(secret) {
		t.Fatalf("api_key %q is not a secret", secret)
	}
	id := k["id"].(string)
	for field, want := range map[string]any{
		"tool": nil, "tool_name": nil, "key_name": "batch job", "is_active": true, "daily_limit": 5.0, "monthly_limit": 30000.0,
		"daily_usage": 0.0, "monthly_usage": 0.0, "last_used": nil, "user": fx.client.id, "key_prefix": secret[:11],
	} {
		if k[field] != want {
			t.Errorf("created %s = %#v, want %#v", field, k[field], want)
		}
	}

	rec := keyRecord(t, app, id)
	if rec.GetString(c.APIKeyHash) != hashSecret(secret) {
		t.Error("the stored hash is not SHA-256 of the secret")
	}
	used, _, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(secret), `{"input_data":{}}`)
	if used != 200 {
		t.Fatalf("the new key does not work: %d", used)
	}

	reads := []struct {
		name, method, url string
		headers           map[string]string
		body              string
	}{
		{"DRF list", http.MethodGet, keysURL, bearer(fx.client), ""},
		{"DRF detail", http.MethodGet, keyURL(id), bearer(fx.client), ""},
		{"DRF detail via the key", http.MethodGet, keyURL(id), apiKeyHeader(secret), ""},
		{"DRF PATCH", http.MethodPatch, keyURL(id), bearer(fx.client), `{"key_name":"renamed"}`},
		{"DRF admin list", http.MethodGet, keysURL, bearer(fx.admin), ""},
		{"records list", http.MethodGet, "/api/collections/tool_api_keys/records", bearer(fx.client), ""},
		{"records view", http.MethodGet, "/api/collections/tool_api_keys/records/" + id, bearer(fx.client), ""},
		{"records list as superuser", http.MethodGet, "/api/collections/tool_api_keys/records", su, ""},
		{"records view as superuser", http.MethodGet, "/api/collections/tool_api_keys/records/" + id, su, ""},
		{"records PATCH as superuser", http.MethodPatch, "/api/collections/tool_api_keys/records/" + id, su, `{"key_name":"by root"}`},
		{"usage list", http.MethodGet, "/api/collections/tool_usage/records?expand=api_key", bearer(fx.client), ""},
	}
	hash := rec.GetString(c.APIKeyHash)
	for _, r := range reads {
		status, body, _ := call(t, r.method, base+r.url, r.headers, r.body)
		if status != 200 {
			t.Errorf("%s: %d %s", r.name, status, body)
		}
		if strings.Contains(body, secret) || strings.Contains(body, secret[11:]) {
			t.Errorf("%s shows the secret: %s", r.name, body)
		}
		if strings.Contains(body, hash) || strings.Contains(body, c.APIKeyHash) || strings.Contains(body, c.APIKeyPreviousHash) {
			t.Errorf("%s shows the hash: %s", r.name, body)
		}
		if strings.HasPrefix(r.name, "DRF") && !strings.Contains(body, `"api_key":"`+secret[:11]+`…"`) {
			t.Errorf("%s: no masked api_key in %s", r.name, body)
		}
		if strings.HasPrefix(r.name, "records") && !strings.Contains(body, `"key_prefix":"`+secret[:11]+`"`) {
			t.Errorf("%s: no key_prefix in %s", r.name, body)
		}
	}
}

func TestKeyRegenerate(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	works := func(secret string) bool {
		s, _, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(secret), "")
		return s == 200
	}
	regen := func(body string) string {
		t.Helper()
		s, b, h := call(t, http.MethodPost, base+keyURL(k.id)+"regenerate/", bearer(fx.client), body)
		if s != 200 || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("regenerate %s: %d %s", body, s, b)
		}
		m := decode(t, b)
		secret, _ := m["api_key"].(string)
		if !secretPattern.MatchString(secret) || m["id"] != k.id || m["key_prefix"] != secret[:11] {
			t.Fatalf("regenerate answered %s", b)
		}
		return secret
	}

	// without grace: the old secret stops at once
	second := regen("")
	if works(k.secret) || !works(second) {
		t.Fatal("after a regenerate without grace, the old secret works or the new one doesn't")
	}
	s, b, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), "")
	if s != 401 || b != `{"detail":"Invalid API key."}` {
		t.Errorf("old secret: %d %s", s, b)
	}
	if third := regen(`{"grace_seconds":0}`); works(second) || !works(third) {
		t.Fatal("grace_seconds 0 kept the old secret")
	} else {
		second = third
	}

	// with grace: both work until it ends
	start := time.Now()
	clock.set(start)
	fourth := regen(`{"grace_seconds":60}`)
	if !works(second) || !works(fourth) {
		t.Fatal("during the grace period both secrets must work")
	}
	_, shown, _ := call(t, http.MethodGet, base+keyURL(k.id), bearer(fx.client), "")
	if !strings.Contains(shown, `"previous_key_valid_until":"`) || strings.Contains(shown, second) || strings.Contains(shown, fourth) {
		t.Errorf("detail during grace: %s", shown)
	}
	clock.set(start.Add(61 * time.Second))
	if works(second) || !works(fourth) {
		t.Fatal("after the grace period the old secret must stop")
	}

	// a regenerate during a grace period stops the secret in grace
	clock.set(start.Add(2 * time.Minute))
	fifth := regen(`{"grace_seconds":3600}`)
	sixth := regen(`{"grace_seconds":3600}`)
	if works(fourth) || !works(fifth) || !works(sixth) {
		t.Fatal("only the last replaced secret keeps a grace period")
	}

	// the usage of a keyed use after a regenerate still records the key
	if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(fifth), `{"input_data":{}}`); s != 200 || !strings.Contains(b, `"api_key":"`+k.id+`"`) {
		t.Errorf("use through the secret in grace: %d %s", s, b)
	}

	// another user can't, an admin can
	if s, _, _ := call(t, http.MethodPost, base+keyURL(k.id)+"regenerate/", bearer(fx.client2), ""); s != 404 {
		t.Errorf("another client regenerates: %d", s)
	}
	if s, b, _ := call(t, http.MethodPost, base+keyURL(k.id)+"regenerate/", bearer(fx.admin), ""); s != 200 || !secretPattern.MatchString(decode(t, b)["api_key"].(string)) {
		t.Errorf("admin regenerates: %d %s", s, b)
	}
	if works(sixth) {
		t.Error("the admin's regenerate left the old secret working")
	}
}

func TestKeyDeactivateDeleteExpire(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	useStatus := func() int {
		s, _, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(k.secret), `{"input_data":{}}`)
		return s
	}
	if s := useStatus(); s != 200 {
		t.Fatalf("use %d", s)
	}
	patch := func(body string) (int, string) {
		s, b, _ := call(t, http.MethodPatch, base+keyURL(k.id), bearer(fx.client), body)
		return s, b
	}
	if s, b := patch(`{"is_active":false}`); s != 200 || !strings.Contains(b, `"is_active":false`) {
		t.Fatalf("deactivate: %d %s", s, b)
	}
	if s := useStatus(); s != 401 {
		t.Errorf("inactive key: %d", s)
	}
	if s, _ := patch(`{"is_active":true}`); s != 200 || useStatus() != 200 {
		t.Error("reactivated key does not work")
	}

	// expiry
	now := time.Now()
	exp := now.Add(time.Hour).UTC().Format(time.RFC3339)
	if s, b := patch(`{"expires_at":"` + exp + `"}`); s != 200 || !strings.Contains(b, `"expires_at":"`) {
		t.Fatalf("set expiry: %d %s", s, b)
	}
	clock.set(now.Add(59 * time.Minute))
	if s := useStatus(); s != 200 {
		t.Errorf("before expiry: %d", s)
	}
	clock.set(now.Add(61 * time.Minute))
	if s := useStatus(); s != 401 {
		t.Errorf("after expiry: %d", s)
	}
	if s, _ := patch(`{"expires_at":null}`); s != 200 || useStatus() != 200 {
		t.Error("a key whose expiry was cleared does not work")
	}
	clock.reset()

	// delete: 204, then 401; the usage rows stay, without the key
	if s, b, _ := call(t, http.MethodDelete, base+keyURL(k.id), bearer(fx.client), ""); s != 204 || b != "" {
		t.Fatalf("delete: %d %s", s, b)
	}
	if s := useStatus(); s != 401 {
		t.Errorf("deleted key: %d", s)
	}
	if n := count(t, app, c.ToolUsage, nil); n != 4 {
		t.Errorf("%d usage rows after the key's delete, want 4", n)
	}
	if s, _, _ := call(t, http.MethodGet, base+keyURL(k.id), bearer(fx.client), ""); s != 404 {
		t.Errorf("deleted key detail: %d", s)
	}
	mustVerify(t, app)
}

func TestKeyCreateScopeRules(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	for _, tc := range []struct {
		name   string
		user   fixtureUser
		tool   string
		status int
	}{
		{"client, an ACTIVE tool", fx.client, fx.active, 201},
		{"client, a draft of another", fx.client, fx.draft, 400},
		{"client, a suspended tool", fx.client, fx.suspended, 400},
		{"creator, own draft", fx.creator, fx.draft, 201},
		{"creator, own suspended tool", fx.creator, fx.suspended, 201},
		{"creator, another's ACTIVE tool", fx.creator2, fx.active, 201},
		{"creator, another's draft", fx.creator2, fx.pending, 400},
		{"admin, any tool", fx.admin, fx.suspended, 201},
		{"unknown tool", fx.client, "nosuchtool12345", 400},
	} {
		status, body, _ := call(t, http.MethodPost, base+keysURL, bearer(tc.user), `{"key_name":"k","tool":"`+tc.tool+`"}`)
		if status != tc.status {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
		if status == 400 && body != `{"tool":["Invalid pk \"`+tc.tool+`\" - object does not exist."]}` {
			t.Errorf("%s: %s", tc.name, body)
		}
		if status == 201 && (!strings.Contains(body, `"tool":"`+tc.tool+`"`) || !strings.Contains(body, `"tool_name":"`)) {
			t.Errorf("%s: %s", tc.name, body)
		}
	}
	// creator's key scoped to its own draft: reads it, tries it (free)
	var k struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	_, body, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.creator), `{"key_name":"k","tool":"`+fx.draft+`"}`)
	json.Unmarshal([]byte(body), &k)
	if s, b, _ := call(t, http.MethodGet, base+"/api/collections/tools/records/"+fx.draft, apiKeyHeader(k.APIKey), ""); s != 200 {
		t.Errorf("creator's key reads its draft: %d %s", s, b)
	}
	if s, b, _ := call(t, http.MethodPost, base+useURL(fx.draft), apiKeyHeader(k.APIKey), "{}"); s != 200 || !strings.Contains(b, `"points_spent":0`) {
		t.Errorf("creator's key uses its draft: %d %s", s, b)
	}
}

func TestKeyLimitPerUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	for range 20 {
		insertKey(t, app, fx.client.id, "", nil)
	}
	// 10 parallel creates for 5 free places
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	var refusal string
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, b, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.client), `{"key_name":"one more"}`)
			mu.Lock()
			statuses[s]++
			if s == 400 {
				refusal = b
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[201] != 5 || statuses[400] != 5 {
		t.Fatalf("statuses %v, want 5×201 and 5×400", statuses)
	}
	if refusal != `{"non_field_errors":["You can have at most 25 API keys; delete one first."]}` {
		t.Errorf("refusal %s", refusal)
	}
	if n := count(t, app, c.ToolAPIKeys, dbx.HashExp{c.APIKeyUser: fx.client.id}); n != 25 {
		t.Errorf("%d keys", n)
	}
	// another user is not affected
	if s, b, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.client2), `{"key_name":"mine"}`); s != 201 {
		t.Errorf("client2: %d %s", s, b)
	}
	// the list pages through them
	_, page, _ := call(t, http.MethodGet, base+keysURL+"?page=2", bearer(fx.client), "")
	if !strings.Contains(page, `"count":25`) || !strings.Contains(page, `"next":null`) || !strings.Contains(page, `"previous":"`) {
		t.Errorf("page 2: %s", page)
	}
}

func TestKeyOwnership(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	mine := insertKey(t, app, fx.client.id, "", nil)
	theirs := insertKey(t, app, fx.client2.id, fx.active, nil)

	_, list, _ := call(t, http.MethodGet, base+keysURL, bearer(fx.client), "")
	if !strings.Contains(list, `"count":1`) || !strings.Contains(list, mine.id) || strings.Contains(list, theirs.id) {
		t.Errorf("client's list: %s", list)
	}
	_, all, _ := call(t, http.MethodGet, base+keysURL, bearer(fx.admin), "")
	if !strings.Contains(all, `"count":2`) {
		t.Errorf("admin's list: %s", all)
	}
	for _, r := range []struct{ method, url, body string }{
		{http.MethodGet, keyURL(theirs.id), ""},
		{http.MethodPatch, keyURL(theirs.id), `{"is_active":false}`},
		{http.MethodPut, keyURL(theirs.id), `{"key_name":"stolen"}`},
		{http.MethodDelete, keyURL(theirs.id), ""},
		{http.MethodPost, keyURL(theirs.id) + "regenerate/", ""},
		{http.MethodGet, keyURL("nosuchkey123456"), ""},
	} {
		if s, b, _ := call(t, r.method, base+r.url, bearer(fx.client), r.body); s != 404 || b != `{"detail":"Not found."}` {
			t.Errorf("%s %s of another user's key: %d %s", r.method, r.url, s, b)
		}
	}
	if r := keyRecord(t, app, theirs.id); !r.GetBool(c.APIKeyIsActive) || r.GetString(c.APIKeyName) != "test key" {
		t.Error("another user's key changed")
	}
	// through the records API too
	if s, _, _ := call(t, http.MethodGet, base+"/api/collections/tool_api_keys/records/"+theirs.id, bearer(fx.client), ""); s != 404 {
		t.Errorf("records view of another user's key: %d", s)
	}
	if s, _, _ := call(t, http.MethodPatch, base+"/api/collections/tool_api_keys/records/"+theirs.id, bearer(fx.client), `{"is_active":false}`); s != 404 {
		t.Errorf("records PATCH of another user's key: %d", s)
	}
	// the owner can't move a key to another user or tool through the records API
	if s, _, _ := call(t, http.MethodPatch, base+"/api/collections/tool_api_keys/records/"+mine.id, bearer(fx.client), `{"tool":"`+fx.active+`"}`); s != 404 {
		t.Errorf("re-scoping through the records API: %d", s)
	}
	// an admin manages anyone's key
	if s, b, _ := call(t, http.MethodPatch, base+keyURL(theirs.id), bearer(fx.admin), `{"daily_limit":7}`); s != 200 || !strings.Contains(b, `"daily_limit":7`) {
		t.Errorf("admin PATCH: %d %s", s, b)
	}
	if s, _, _ := call(t, http.MethodDelete, base+keyURL(theirs.id), bearer(fx.admin), ""); s != 204 {
		t.Errorf("admin DELETE: %d", s)
	}
	// a superuser uses the records API, not the DRF routes
	su := map[string]string{"Authorization": superuserAuth(t, app)}
	if s, _, _ := call(t, http.MethodGet, base+keysURL, su, ""); s != 403 {
		t.Errorf("superuser on the DRF API: %d", s)
	}
}

// TestKeyDashboard: a superuser deactivates a key through the records API
// (the dashboard); its hash and prefix stay, and it never sees the hash.
func TestKeyDashboard(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	su := map[string]string{"Authorization": superuserAuth(t, app)}
	k := insertKey(t, app, fx.client.id, "", nil)
	before := keyRecord(t, app, k.id)
	url := base + "/api/collections/tool_api_keys/records/" + k.id

	status, body, _ := call(t, http.MethodGet, url, su, "")
	if status != 200 || strings.Contains(body, "key_hash") || strings.Contains(body, "previous_key_hash") || !strings.Contains(body, `"key_prefix"`) {
		t.Fatalf("superuser view: %d %s", status, body)
	}
	// the dashboard sends the record back whole, hidden fields empty
	full := decode(t, body)
	full[c.APIKeyIsActive] = false
	full[c.APIKeyHash] = ""
	raw, _ := json.Marshal(full)
	status, body, _ = call(t, http.MethodPatch, url, su, string(raw))
	if status != 200 || !strings.Contains(body, `"is_active":false`) || strings.Contains(body, "key_hash") {
		t.Fatalf("superuser deactivates: %d %s", status, body)
	}
	after := keyRecord(t, app, k.id)
	if after.GetString(c.APIKeyHash) != before.GetString(c.APIKeyHash) || after.GetString(c.APIKeyPrefix) != before.GetString(c.APIKeyPrefix) {
		t.Error("deactivating changed the hash or prefix")
	}
	if s, _, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), ""); s != 401 {
		t.Errorf("deactivated key: %d", s)
	}
	// server-owned fields stay server-owned, even for a superuser: ignored
	for _, f := range []string{`{"key_prefix":"tk_forged"}`, `{"daily_usage":0,"usage_day":"2000-01-01"}`, `{"user":"` + fx.client2.id + `"}`} {
		if s, b, _ := call(t, http.MethodPatch, url, su, f); s != 200 {
			t.Errorf("superuser PATCH %s: %d %s", f, s, b)
		}
		now := keyRecord(t, app, k.id)
		for _, field := range []string{c.APIKeyPrefix, c.APIKeyUser, c.APIKeyUsageDay, c.APIKeyHash} {
			if now.GetString(field) != after.GetString(field) {
				t.Errorf("superuser PATCH %s changed %s", f, field)
			}
		}
	}
	// and no key is created outside the DRF route
	if s, _, _ := call(t, http.MethodPost, base+"/api/collections/tool_api_keys/records", su, `{"key_name":"x","user":"`+fx.client.id+`","key_hash":"ab"}`); s == 200 {
		t.Error("a superuser created a key through the records API")
	}
}

func TestKeyBadInput(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	cases := []struct {
		method, url, body, contentType string
		status                         int
		contains                       string
	}{
		{http.MethodPost, keysURL, `{}`, "", 400, `{"key_name":["This field is required."]}`},
		{http.MethodPost, keysURL, `{"key_name":"  "}`, "", 400, `{"key_name":["This field may not be blank."]}`},
		{http.MethodPost, keysURL, `{"key_name":null}`, "", 400, `{"key_name":["This field may not be null."]}`},
		{http.MethodPost, keysURL, `{"key_name":["a"]}`, "", 400, `{"key_name":["Not a valid string."]}`},
		{http.MethodPost, keysURL, `{"key_name":"` + strings.Repeat("n", 101) + `"}`, "", 400, `"key_name":["Ensure this field has no more than 100 characters."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","daily_limit":-1}`, "", 400, `"daily_limit":["Ensure this value is greater than or equal to 0."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","daily_limit":"many"}`, "", 400, `"daily_limit":["A valid integer is required."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","daily_limit":1.5}`, "", 400, `"daily_limit":["A valid integer is required."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","monthly_limit":1e30}`, "", 400, `"monthly_limit":`},
		{http.MethodPost, keysURL, `{"key_name":"k","monthly_limit":1000000001}`, "", 400, `"monthly_limit":["Ensure this value is less than or equal to 1000000000."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","is_active":"maybe"}`, "", 400, `"is_active":["Must be a valid boolean."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","tool":12}`, "", 400, `"tool":["Incorrect type. Expected pk value, received number."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","tool":"../x"}`, "", 400, `"tool":["Invalid pk - object does not exist."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","tool":{"id":"x"}}`, "", 400, `"tool":`},
		{http.MethodPost, keysURL, `{"key_name":"k","expires_at":"tomorrow"}`, "", 400, `"expires_at":["Datetime has wrong format.`},
		{http.MethodPost, keysURL, `{"key_name":"k","expires_at":12}`, "", 400, `"expires_at":`},
		{http.MethodPost, keysURL, `{"key_name":"k","expires_at":"2001-01-01T00:00:00Z"}`, "", 400, `"expires_at":["Ensure this date is in the future."]`},
		{http.MethodPost, keysURL, `{"key_name":`, "", 400, `"detail":"JSON parse error`},
		{http.MethodPost, keysURL, `["key_name"]`, "", 400, `"non_field_errors":["Invalid data. Expected a dictionary, but got list."]`},
		{http.MethodPost, keysURL, `key_name=k`, "text/plain", 415, `"detail":"Unsupported media type`},
		{http.MethodPost, keysURL, `{"key_name":"` + strings.Repeat("n", maxBodyBytes) + `"}`, "", 413, `"detail":"Request body exceeds`},
		{http.MethodDelete, keysURL, ``, "", 405, `"detail":"Method \"DELETE\" not allowed."`},
		{http.MethodPut, keyURL(k.id), `{"daily_limit":5}`, "", 400, `{"key_name":["This field is required."]}`},
		{http.MethodPatch, keyURL(k.id), `{"daily_limit":-5}`, "", 400, `"daily_limit":["Ensure this value is greater than or equal to 0."]`},
		{http.MethodPatch, keyURL(k.id), `{"key_name":""}`, "", 400, `"key_name":["This field may not be blank."]`},
		{http.MethodPatch, keyURL(k.id), `{"is_active":null}`, "", 400, `"is_active":["This field may not be null."]`},
		{http.MethodPatch, keyURL(k.id), `{"expires_at":"2001-01-01T00:00:00Z"}`, "", 400, `"expires_at":["Ensure this date is in the future."]`},
		{http.MethodPatch, keyURL(k.id), `[1]`, "", 400, `"non_field_errors"`},
		{http.MethodPatch, keyURL(k.id), `{"monthly_limit":{}}`, "", 400, `"monthly_limit":["A valid integer is required."]`},
		{http.MethodPost, keyURL(k.id), `{}`, "", 405, `"detail":"Method \"POST\" not allowed."`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":-1}`, "", 400, `"grace_seconds":["Ensure this value is greater than or equal to 0."]`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":86401}`, "", 400, `"grace_seconds":["Ensure this value is less than or equal to 86400."]`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":"soon"}`, "", 400, `"grace_seconds":["A valid integer is required."]`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":`, "", 400, `"detail":"JSON parse error`},
		{http.MethodGet, keyURL(k.id) + "regenerate/", ``, "", 405, `"detail":"Method \"GET\" not allowed."`},
		{http.MethodPost, keyURL("nosuchkey123456") + "regenerate/", `{}`, "", 404, `{"detail":"Not found."}`},
		{http.MethodDelete, keyURL("nosuchkey123456"), ``, "", 404, `{"detail":"Not found."}`},
	}
	before := keyRecord(t, app, k.id)
	for _, tc := range cases {
		h := bearer(fx.client)
		if tc.contentType != "" {
			h["Content-Type"] = tc.contentType
		}
		status, body, _ := call(t, tc.method, base+tc.url, h, tc.body)
		if status != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s %s %.60s: %d %s, want %d with %s", tc.method, tc.url, tc.body, status, body, tc.status, tc.contains)
		}
	}
	if n := count(t, app, c.ToolAPIKeys, nil); n != 1 {
		t.Errorf("%d keys after bad input", n)
	}
	after := keyRecord(t, app, k.id)
	for _, f := range []string{c.APIKeyName, c.APIKeyDailyLimit, c.APIKeyMonthlyLimit, c.APIKeyIsActive, c.APIKeyExpiresAt, c.APIKeyHash} {
		if !sameJSON(before.Get(f), after.Get(f)) {
			t.Errorf("bad input changed %s", f)
		}
	}
	// unknown and read-only fields are ignored
	status, body, _ := call(t, http.MethodPatch, base+keyURL(k.id), bearer(fx.client),
		`{"key_name":"ok","daily_usage":0,"api_key":"tk_x","user":"`+fx.client2.id+`","tool":"`+fx.active+`","key_hash":"00","whatever":1}`)
	if status != 200 || !strings.Contains(body, `"key_name":"ok"`) || !strings.Contains(body, `"tool":null`) || !strings.Contains(body, `"user":"`+fx.client.id+`"`) {
		t.Errorf("read-only fields: %d %s", status, body)
	}
	if keyRecord(t, app, k.id).GetString(c.APIKeyHash) != before.GetString(c.APIKeyHash) {
		t.Error("key_hash changed through PATCH")
	}
	// a full PUT
	status, body, _ = call(t, http.MethodPut, base+keyURL(k.id), bearer(fx.client), `{"key_name":"put","daily_limit":3,"monthly_limit":4,"is_active":false}`)
	if status != 200 || !strings.Contains(body, `"daily_limit":3,"monthly_limit":4`) || !strings.Contains(body, `"is_active":false`) {
		t.Errorf("PUT: %d %s", status, body)
	}
	// form-encoded create
	h := bearer(fx.client)
	h["Content-Type"] = "application/x-www-form-urlencoded"
	if status, body, _ := call(t, http.MethodPost, base+keysURL, h, "key_name=form&daily_limit=9&is_active=true"); status != 201 || !strings.Contains(body, `"daily_limit":9`) {
		t.Errorf("form create: %d %s", status, body)
	}
	if status, body, _ := call(t, http.MethodPost, base+keysURL, nil, `{"key_name":"anon"}`); status != 401 {
		t.Errorf("anonymous create: %d %s", status, body)
	}
}
