package hooks

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"toolbase/hooks/internal/middleware"
)

// Secrets never reach the request log (issue 11, 7c). PocketBase's activity
// logger writes each request's URL and Referer to _logs (url, referer and the
// message), after the request. A key sent as ?api_key=… would be stored there
// in clear, readable by every superuser and kept in backups.
//
// Three layers:
//   - a key in the query string is refused with 400 (a clear answer instead
//     of an unexplained 401; the client learns its key may have leaked);
//   - a middleware inside the activity logger rewrites, once the request is
//     answered, the URL and Referer the logger reads: sensitive query values
//     become "REDACTED" (handlers still saw the real ones: PocketBase's file
//     ?token= keeps working);
//   - a hook on the log model scrubs every log written to _logs, whoever
//     logged it: sensitive query values in any URL-like string, and anything
//     shaped like an API key or a signing secret.

const (
	redacted        = "REDACTED"
	redactPriority  = apis.DefaultActivityLoggerMiddlewarePriority + 1
	msgKeyInQuery   = "Send the API key in the X-API-Key header (or Authorization: Api-Key), never in the URL: URLs are logged. Consider this key leaked and regenerate it."
	redactHandlerID = "toolbaseRedactLoggedURL"
)

// keyQueryParams are query parameters a client may put an API key in; any
// parameter whose value is shaped like a key counts too.
var keyQueryParams = map[string]bool{"api_key": true, "apikey": true, "x_api_key": true}

// secretParamWords make a query parameter sensitive when its name contains one.
var secretParamWords = []string{"key", "token", "password", "passwd", "secret", "signature", "credential", "auth", "session", "otp"}

// secretParamNames are sensitive query parameters by exact name.
var secretParamNames = map[string]bool{"code": true, "sig": true, "pwd": true, "pass": true, "access": true, "refresh": true, "jwt": true}

// secretShapes are secrets toolbase issues: API keys and signing secrets.
var secretShapes = regexp.MustCompile(`tk_[A-Za-z0-9_-]{20,}|whsec_[A-Za-z0-9_-]{20,}`)

// normParam is a query parameter's name, unescaped, lower case, "-" as "_".
func normParam(raw string) string {
	name, err := url.QueryUnescape(raw)
	if err != nil {
		name = raw
	}
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
}

func secretParam(name string) bool {
	if secretParamNames[name] {
		return true
	}
	for _, w := range secretParamWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// redactQuery returns the raw query with the values of sensitive parameters
// replaced, the rest untouched (order and encoding kept).
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if secretParam(normParam(name)) && hasValue {
			parts[i] = name + "=" + redacted
		}
	}
	return strings.Join(parts, "&")
}

// redactURL redacts the query (and fragment) of a URL or request URI; a
// string that does not parse has its secret-shaped parts removed only.
func redactURL(s string) string {
	base, query, hasQuery := strings.Cut(s, "?")
	if !hasQuery {
		return secretShapes.ReplaceAllString(s, redacted)
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	out := base + "?" + redactQuery(query)
	if hasFragment {
		out += "#" + redactQuery(fragment)
	}
	return secretShapes.ReplaceAllString(out, redacted)
}

// keyInQuery reports whether the request's query carries an API key parameter.
func keyInQuery(r *http.Request) bool {
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		name, value, _ := strings.Cut(p, "=")
		if keyQueryParams[normParam(name)] {
			return true
		}
		if v, err := url.QueryUnescape(value); err == nil && wellFormed(strings.TrimSpace(v)) {
			return true
		}
	}
	return false
}

// redactRequestForLog is the middleware: it refuses a key in the query, and
// once the request is answered (panics included) leaves the logger only a
// redacted URL and Referer.
func redactRequestForLog(e *core.RequestEvent) error {
	defer func() {
		if e.Request == nil || e.Request.URL == nil {
			return
		}
		e.Request.URL.RawQuery = redactQuery(e.Request.URL.RawQuery)
		e.Request.URL.Fragment, e.Request.URL.RawFragment = "", ""
		e.Request.RequestURI = e.Request.URL.RequestURI()
		if ref := e.Request.Header.Get("Referer"); ref != "" {
			e.Request.Header.Set("Referer", redactURL(ref))
		}
	}()
	if strings.HasPrefix(e.Request.URL.Path, "/api/") && keyInQuery(e.Request) {
		if isDRFRoute(e) {
			return e.JSON(http.StatusBadRequest, map[string]string{"detail": msgKeyInQuery})
		}
		return apis.NewBadRequestError(msgKeyInQuery, nil)
	}
	return e.Next()
}

// redactLog scrubs a log about to be written to _logs.
func redactLog(l *core.Log) {
	l.Message = redactURL(l.Message)
	for k, v := range l.Data {
		l.Data[k] = redactValue(v)
	}
}

func redactValue(v any) any {
	switch v := v.(type) {
	case string:
		return redactURL(v)
	case map[string]any:
		for k, x := range v {
			v[k] = redactValue(x)
		}
	case []any:
		for i, x := range v {
			v[i] = redactValue(x)
		}
	}
	return v
}

// bindLogRedaction binds the query refusal, the URL redaction middleware and
// the log model's scrubber.
func bindLogRedaction(app core.App) {
	middleware.Bind(app, redactHandlerID, redactPriority, redactRequestForLog)
	app.OnModelCreate(core.LogsTableName).BindFunc(func(e *core.ModelEvent) error {
		if l, ok := e.Model.(*core.Log); ok {
			redactLog(l)
		}
		return e.Next()
	})
}
