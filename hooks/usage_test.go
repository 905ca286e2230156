package hooks

import (
	"strings"
	"testing"
)

func usageURL(id string) string { return "/api/tools/usage/" + id + "/" }

// secrets returns the input markers of the usage rows ids, to assert that a
// body does or does not hold them.
func secrets(ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = usageSecret(id)
	}
	return out
}

// every field of the usage representation
var usageFields = []string{`"id":`, `"tool":`, `"tool_name":`, `"user":`, `"user_email":`, `"input_data":`, `"output_data":`,
	`"points_spent":`, `"execution_time":`, `"success":`, `"error_message":`, `"created_at":`}

func TestUsageList(t *testing.T) {
	t.Parallel()
	url := "/api/tools/usage/"
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: url, status: 401, want: notAuthenticated},
		{name: "client: own usage only, newest first", method: "GET", url: url, auth: fx.client.auth, status: 200,
			want:    append(append([]string{`"count":2`, `"next":null`, `"previous":null`, `"user_email":"client@test.example"`}, secrets(usClient, usOther)...), usageFields...),
			notWant: append(secrets(usClient2, usCreator2), fx.client2.email, fx.creator2.email),
			check:   wantIDs(usOther, usClient)},
		{name: "other client: own usage only", method: "GET", url: url, auth: fx.client2.auth, status: 200,
			want: []string{`"count":1`, usageSecret(usClient2)}, notWant: append(secrets(usClient, usOther, usCreator2), fx.client.email),
			check: wantIDs(usClient2)},
		{name: "creator: usage of own tools, by anyone", method: "GET", url: url, auth: fx.creator.auth, status: 200,
			want:    []string{`"count":3`, fx.client.email, fx.client2.email, fx.creator2.email},
			notWant: secrets(usOther),
			check:   wantIDs(usCreator2, usClient2, usClient)},
		{name: "other creator: own usage and usage of own tools", method: "GET", url: url, auth: fx.creator2.auth, status: 200,
			want: []string{`"count":2`}, notWant: append(secrets(usClient, usClient2), fx.client2.email),
			check: wantIDs(usCreator2, usOther)},
		{name: "admin: all usage", method: "GET", url: url, auth: fx.admin.auth, status: 200,
			want: append([]string{`"count":4`}, secrets(usClient, usClient2, usOther, usCreator2)...), check: wantIDs(usCreator2, usOther, usClient2, usClient)},
		{name: "the representation", method: "GET", url: url + "?tool=" + fx.other, auth: fx.client.auth, status: 200,
			want: []string{`"count":1`, quoted("id", usOther), quoted("tool", fx.other), quoted("tool_name", "ACTIVE tool of "+fx.creator2.id),
				quoted("user", fx.client.id), `"user_email":"client@test.example"`, `"input_data":{"note":"secret-of-usgclientother1"}`,
				`"output_data":{"status":"accepted"}`, `"points_spent":7`, `"execution_time":"00:00:00.100000"`, `"execution_time_ms":100`,
				`"success":true`, `"error_message":""`, `"api_key":null`, `"created_at":"2025-01-03T10:00:00.000Z"`}},
		{name: "tool filter", method: "GET", url: url + "?tool=" + fx.active, auth: fx.admin.auth, status: 200,
			want: []string{`"count":3`}, check: wantIDs(usCreator2, usClient2, usClient)},
		{name: "tool filter never widens visibility", method: "GET", url: url + "?tool=" + fx.active, auth: fx.creator2.auth, status: 200,
			want: []string{`"count":1`}, check: wantIDs(usCreator2)},
		{name: "unknown tool", method: "GET", url: url + "?tool=nosuchtool00000", auth: fx.admin.auth, status: 200, want: []string{`"count":0`, `"results":[]`}},
		{name: "since a date", method: "GET", url: url + "?since=2025-01-02", auth: fx.admin.auth, status: 200,
			want: []string{`"count":3`}, check: wantIDs(usCreator2, usOther, usClient2)},
		{name: "until a date includes that day", method: "GET", url: url + "?until=2025-01-02", auth: fx.admin.auth, status: 200,
			want: []string{`"count":2`}, check: wantIDs(usClient2, usClient)},
		{name: "since and until as RFC 3339, inclusive", method: "GET", url: url + "?since=2025-01-02T10:00:00Z&until=2025-01-03T10:00:00Z", auth: fx.admin.auth, status: 200,
			want: []string{`"count":2`}, check: wantIDs(usOther, usClient2)},
		{name: "RFC 3339 with an offset and fractions", method: "GET", url: url + "?since=2025-01-03T11:00:00.0001%2B01:00", auth: fx.admin.auth, status: 200,
			want: []string{`"count":1`}, check: wantIDs(usCreator2)},
		{name: "until the end of time", method: "GET", url: url + "?until=9999-12-31", auth: fx.admin.auth, status: 200,
			want: []string{`"count":4`}},
		{name: "since the end of time", method: "GET", url: url + "?since=9999-12-31T23:59:59.9999Z", auth: fx.admin.auth, status: 200,
			want: []string{`"count":0`}},
		{name: "since the beginning of time", method: "GET", url: url + "?since=0001-01-01", auth: fx.admin.auth, status: 200,
			want: []string{`"count":4`}},
		{name: "until before since", method: "GET", url: url + "?since=2025-01-03&until=2025-01-01", auth: fx.admin.auth, status: 200,
			want: []string{`"count":0`}},
		{name: "filters combine with visibility", method: "GET", url: url + "?since=2025-01-02&tool=" + fx.active, auth: fx.client.auth, status: 200,
			want: []string{`"count":0`}},
		{name: "bad since", method: "GET", url: url + "?since=yesterday", auth: fx.admin.auth, status: 400,
			want: []string{`"since":["Enter a valid date/time: RFC 3339 (2006-01-02T15:04:05Z) or YYYY-MM-DD."]`}},
		{name: "bad until", method: "GET", url: url + "?until=2025-13-01", auth: fx.admin.auth, status: 400,
			want: []string{`"until":["Enter a valid date/time`}},
		{name: "both bad", method: "GET", url: url + "?since=1&until=" + strings.Repeat("9", 300), auth: fx.admin.auth, status: 400,
			want: []string{`"since":[`, `"until":[`}},
		{name: "pagination", method: "GET", url: url + "?page_size=3", auth: fx.admin.auth, status: 200,
			want:  []string{`"count":4`, `"next":"http://example.com/api/tools/usage/?page=2&page_size=3"`, `"previous":null`},
			check: wantIDs(usCreator2, usOther, usClient2)},
		{name: "second page", method: "GET", url: url + "?page_size=3&page=2", auth: fx.admin.auth, status: 200,
			want:  []string{`"count":4`, `"next":null`, `"previous":"http://example.com/api/tools/usage/?page_size=3"`},
			check: wantIDs(usClient)},
		{name: "a page past the end", method: "GET", url: url + "?page=9", auth: fx.client.auth, status: 404, want: []string{`"detail":"Invalid page."`}},
		{name: "a malformed body is ignored", method: "GET", url: url, auth: fx.client.auth, body: `{"x":`, status: 200, want: []string{`"count":2`}},
		{name: "POST not allowed", method: "POST", url: url, auth: fx.admin.auth, body: `{}`, status: 405,
			want: []string{`"detail":"Method \"POST\" not allowed."`}},
	})
}

// The tools and users of a usage list are loaded in one query each, however
// many rows the page has.
func TestUsageListQueriesDoNotGrowWithRows(t *testing.T) {
	t.Parallel()
	one := countQueries(t, "/api/tools/usage/?page_size=1", fx.admin.auth, 0)
	four := countQueries(t, "/api/tools/usage/?page_size=4", fx.admin.auth, 0)
	mine := countQueries(t, "/api/tools/usage/my_usage/", fx.client.auth, 0)
	if one != four || one == 0 || mine == 0 || mine > one {
		t.Errorf("%d queries for 1 row, %d for 4, %d for my_usage", one, four, mine)
	}
}

func TestUsageDetail(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: usageURL(usClient), status: 401, want: notAuthenticated},
		{name: "client, own usage", method: "GET", url: usageURL(usClient), auth: fx.client.auth, status: 200,
			want: append([]string{quoted("id", usClient), usageSecret(usClient), `"user_email":"client@test.example"`,
				quoted("tool_name", "ACTIVE tool of "+fx.creator.id)}, usageFields...)},
		{name: "client, another client's usage", method: "GET", url: usageURL(usClient2), auth: fx.client.auth, status: 404,
			want: notFound, notWant: secrets(usClient2)},
		{name: "other client, the client's usage", method: "GET", url: usageURL(usClient), auth: fx.client2.auth, status: 404,
			want: notFound, notWant: secrets(usClient)},
		{name: "creator, usage of own tool", method: "GET", url: usageURL(usClient2), auth: fx.creator.auth, status: 200,
			want: []string{usageSecret(usClient2), `"user_email":"client2@test.example"`}},
		{name: "creator, usage of another creator's tool", method: "GET", url: usageURL(usOther), auth: fx.creator.auth, status: 404,
			want: notFound, notWant: secrets(usOther)},
		{name: "other creator, own usage of creator's tool", method: "GET", url: usageURL(usCreator2), auth: fx.creator2.auth, status: 200,
			want: []string{usageSecret(usCreator2)}},
		{name: "other creator, a client's usage of creator's tool", method: "GET", url: usageURL(usClient), auth: fx.creator2.auth, status: 404,
			want: notFound},
		{name: "admin, any usage", method: "GET", url: usageURL(usOther), auth: fx.admin.auth, status: 200, want: []string{usageSecret(usOther)}},
		{name: "unknown id", method: "GET", url: usageURL("nosuchusage0000"), auth: fx.admin.auth, status: 404, want: notFound},
		{name: "PUT not allowed", method: "PUT", url: usageURL(usClient), auth: fx.client.auth, body: `{"points_spent":0}`, status: 405,
			want: []string{`"detail":"Method \"PUT\" not allowed."`}},
		{name: "PATCH not allowed", method: "PATCH", url: usageURL(usClient), auth: fx.admin.auth, body: `{}`, status: 405, want: []string{`not allowed`}},
		{name: "DELETE not allowed", method: "DELETE", url: usageURL(usClient), auth: fx.admin.auth, status: 405, want: []string{`not allowed`}},
	})
}

func TestUsageMine(t *testing.T) {
	t.Parallel()
	url := "/api/tools/usage/my_usage/"
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: url, status: 401, want: notAuthenticated},
		{name: "client: a bare array of own usage, newest first", method: "GET", url: url, auth: fx.client.auth, status: 200,
			want:    append([]string{`[{"id":`}, usageFields...),
			notWant: append(secrets(usClient2, usCreator2), `"count"`, fx.client2.email),
			check:   wantIDs(usOther, usClient)},
		{name: "creator: own usage only, not that of its tools", method: "GET", url: url, auth: fx.creator.auth, status: 200,
			want: []string{`[]`}, notWant: secrets(usClient, usClient2, usCreator2)},
		{name: "other creator: own usage", method: "GET", url: url, auth: fx.creator2.auth, status: 200,
			check: wantIDs(usCreator2), want: []string{usageSecret(usCreator2)}, notWant: secrets(usOther)},
		{name: "admin: own usage only", method: "GET", url: url, auth: fx.admin.auth, status: 200, want: []string{`[]`}},
		{name: "filters apply", method: "GET", url: url + "?tool=" + fx.other + "&since=2025-01-01", auth: fx.client.auth, status: 200,
			check: wantIDs(usOther), want: []string{usageSecret(usOther)}},
		{name: "bad filter", method: "GET", url: url + "?since=soon", auth: fx.client.auth, status: 400, want: []string{`"since":[`}},
		{name: "POST not allowed", method: "POST", url: url, auth: fx.client.auth, status: 405, want: []string{`not allowed`}},
	})
}
