package hooks

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRedactQuery(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                   "",
		"page=2&search=x":                    "page=2&search=x",
		"api_key=tk_abc&page=2":              "api_key=REDACTED&page=2",
		"page=2&Api-Key=x&TOKEN=y":           "page=2&Api-Key=REDACTED&TOKEN=REDACTED",
		"password=a&refresh=b&access=c":      "password=REDACTED&refresh=REDACTED&access=REDACTED",
		"signing_secret=a&x_api_key=b&sig=c": "signing_secret=REDACTED&x_api_key=REDACTED&sig=REDACTED",
		"code=abc&state=s":                   "code=REDACTED&state=s",
		"api%5Fkey=x":                        "api%5Fkey=REDACTED",
		"key":                                "key",
	} {
		if got := redactQuery(in); got != want {
			t.Errorf("redactQuery(%q) = %q, want %q", in, got, want)
		}
	}
	secret, _, _, _ := newSecret()
	if got := redactURL("GET /api/x/" + secret + "/?q=1"); strings.Contains(got, secret) {
		t.Errorf("a key-shaped path segment survived: %s", got)
	}
	if got := redactURL("https://example.test/p?token=abc#access_token=def"); got != "https://example.test/p?token=REDACTED#access_token=REDACTED" {
		t.Errorf("redactURL: %s", got)
	}
}

// TestNoSecretReachesRequestLog: secrets sent in URLs (and Referers) on both
// APIs never reach _logs; a key in the query is refused with a clear 400.
func TestNoSecretReachesRequestLog(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Settings().Logs.MaxDays = 1
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	const (
		tokenValue    = "tokensecretvalue0123456789"
		passwordValue = "hunter2-password-value"
		refererValue  = "refererleakvalue0123456789"
	)
	secrets := []string{k.secret[11:], tokenValue, passwordValue, refererValue}

	requests := 0
	do := func(method, url string, headers map[string]string, wantStatus int, wantBody string) {
		t.Helper()
		status, body, _ := call(t, method, base+url, headers, "")
		requests++
		if status != wantStatus || !strings.Contains(body, wantBody) {
			t.Errorf("%s %s: %d %s, want %d with %s", method, url, status, body, wantStatus, wantBody)
		}
	}
	// a key in the query: refused, in each API's shape
	do(http.MethodGet, keysURL+"?api_key="+k.secret, nil, 400, `{"detail":"`+msgKeyInQuery+`"}`)
	do(http.MethodGet, "/api/collections/tools/records?page=1&apikey="+k.secret, nil, 400, `"message":"`+msgKeyInQuery+`"`)
	do(http.MethodGet, "/api/tools/tools/?key="+k.secret, bearer(fx.client), 400, `{"detail":"`+msgKeyInQuery+`"}`)
	do(http.MethodGet, "/api/collections/tools/records?x-api-key="+k.secret, apiKeyHeader(k.secret), 400, `"status":400`)
	// other secrets in the query, on requests that succeed or fail
	do(http.MethodGet, "/api/tools/tools/?page=1&token="+tokenValue, bearer(fx.client), 200, `"results"`)
	do(http.MethodGet, "/api/collections/tools/records?perPage=1&password="+passwordValue, apiKeyHeader(k.secret), 200, `"items"`)
	do(http.MethodPost, "/api/token/?password="+passwordValue, nil, 400, `"email"`)
	do(http.MethodGet, "/api/nothing/here?access_token="+tokenValue, nil, 404, `"status":404`)
	do(http.MethodGet, "/api/tools/tools/", map[string]string{"Authorization": fx.client.auth, "Referer": "https://app.example/page?api_key=" + refererValue}, 200, `"results"`)
	// a log of toolbase's own, carrying secrets
	app.Logger().Warn("diagnostic", "url", "https://tool.example/run?token="+tokenValue, "note", "saw "+k.secret)
	requests++

	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := app.AuxDB().Select("COUNT(*)").From("_logs").Row(&n); err != nil {
			t.Fatal(err)
		}
		if n >= requests {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d logs after 15 s, want %d", n, requests)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var rows []struct {
		Message string `db:"message"`
		Data    string `db:"data"`
	}
	if err := app.AuxDB().Select("message", "data").From("_logs").All(&rows); err != nil {
		t.Fatal(err)
	}
	redactedURLs := 0
	for _, r := range rows {
		for _, s := range secrets {
			if strings.Contains(r.Message, s) || strings.Contains(r.Data, s) {
				t.Errorf("a secret reached _logs: %s %s", r.Message, r.Data)
			}
		}
		if strings.Contains(r.Data, "REDACTED") {
			redactedURLs++
		}
		if strings.Contains(r.Data, `"url":"/api/tools/tools/?page=1\u0026token=REDACTED"`) || strings.Contains(r.Data, `"url":"/api/tools/tools/?page=1&token=REDACTED"`) {
			redactedURLs += 100 // the other parameters are kept as they were
		}
	}
	if redactedURLs < 100+requests-1 {
		t.Errorf("%d logs show a redaction, want every one of the %d (and the page kept): %+v", redactedURLs%100, requests, rows)
	}

	// and nowhere on disk, WAL included
	if err := app.ClearBootstrap(); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(app.DataDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("a secret (%s…) is stored in %s", s[:4], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
