package hooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Body limits of the DRF API's write routes.
const (
	maxBodyBytes = 256 << 10
	// maxUseBodyBytes leaves room for a 64 KiB input_data inside its envelope
	maxUseBodyBytes = 72 << 10
)

// form is a request body read with DRF's field semantics: unknown fields are
// ignored, each typed read records a field error instead of failing at once,
// and only fields read successfully reach the rules' @request.body.
type form struct {
	data    map[string]any
	clean   map[string]any
	errs    FieldErrors
	partial bool // PATCH: a missing required field is no error
	// nested are the forms of nested objects read by a spec (a user's
	// profile), whose errors nest in the answer
	nested map[string]*form
}

// readForm reads a JSON, form or multipart body of at most limit bytes. An
// empty body is an empty form.
func readForm(e *core.RequestEvent, limit int64) (*form, error) {
	f := &form{data: map[string]any{}, clean: map[string]any{}, errs: FieldErrors{}, partial: e.Request.Method == http.MethodPatch}
	held, ok := e.Get(heldBodyKey).(heldBody)
	if !ok {
		held = heldBody{body: e.Request.Body, length: e.Request.ContentLength}
	}
	if held.length > limit {
		// the unread body would poison the connection for the client's next request
		e.Response.Header().Set("Connection", "close")
		return nil, errDetail(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body exceeds %d bytes.", limit))
	}
	raw, err := io.ReadAll(http.MaxBytesReader(e.Response, held.body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errDetail(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body exceeds %d bytes.", limit))
		}
		return nil, errDetail(http.StatusBadRequest, "Could not read the request body.")
	}
	if err := f.exposeToRules(e); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return f, nil
	}
	mediaType, _, _ := mime.ParseMediaType(e.Request.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json", "":
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, errDetail(http.StatusBadRequest, "JSON parse error - the body is not valid JSON.")
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, FieldErrors{"non_field_errors": {fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", jsonType(v))}}.Err()
		}
		f.data = obj
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, errDetail(http.StatusBadRequest, "Malformed form data.")
		}
		for k, v := range values {
			f.data[k] = v[0]
		}
	case "multipart/form-data":
		r := e.Request.Clone(e.Request.Context())
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
		if err := r.ParseMultipartForm(limit); err != nil {
			return nil, errDetail(http.StatusBadRequest, "Malformed multipart data.")
		}
		for k, v := range r.MultipartForm.Value {
			f.data[k] = v[0]
		}
	default:
		return nil, errDetail(http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request.", mediaType))
	}
	return f, nil
}

// has reports whether the body names field.
func (f *form) has(field string) bool {
	_, ok := f.data[field]
	return ok
}

// take reads field: ok=false when it is absent (recording "required" when it
// must be there) or null (recording that error).
func (f *form) take(field string, required bool) (any, bool) {
	v, ok := f.data[field]
	if !ok {
		if required && !f.partial {
			f.errs.Add(field, "This field is required.")
		}
		return nil, false
	}
	if v == nil {
		f.errs.Add(field, "This field may not be null.")
		return nil, false
	}
	return v, true
}

func (f *form) keep(field string, v any) { f.clean[field] = v }

// setOn sets the fields read (f.clean) on rec: those of only, or all.
func (f *form) setOn(rec *core.Record, only ...string) {
	for field, v := range f.clean {
		if len(only) == 0 || slices.Contains(only, field) {
			rec.Set(field, v)
		}
	}
}

// text reads a string (numbers are taken as their text, as DRF does), trimmed,
// at most max characters; required also refuses a blank one.
func (f *form) text(field string, max int, required bool) (string, bool) {
	v, ok := f.take(field, required)
	if !ok {
		return "", false
	}
	var s string
	switch v := v.(type) {
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		s = v.String()
	default:
		f.errs.Add(field, "Not a valid string.")
		return "", false
	}
	if required && s == "" {
		f.errs.Add(field, "This field may not be blank.")
		return "", false
	}
	if n := len([]rune(s)); n > max {
		f.errs.Add(field, fmt.Sprintf("Ensure this field has no more than %d characters.", max))
		return "", false
	}
	f.keep(field, s)
	return s, true
}

// integer reads a whole number within [min, max]; an integral float or a
// numeric string is accepted, as DRF does.
func (f *form) integer(field string, min, max int64, required bool) (int64, bool) {
	v, ok := f.take(field, required)
	if !ok {
		return 0, false
	}
	n, ok := toInt(v)
	if !ok {
		f.errs.Add(field, "A valid integer is required.")
		return 0, false
	}
	if n < min {
		f.errs.Add(field, fmt.Sprintf("Ensure this value is greater than or equal to %d.", min))
		return 0, false
	}
	if n > max {
		f.errs.Add(field, fmt.Sprintf("Ensure this value is less than or equal to %d.", max))
		return 0, false
	}
	f.keep(field, n)
	return n, true
}

func toInt(v any) (int64, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	fl, err := strconv.ParseFloat(s, 64)
	if err != nil || fl != math.Trunc(fl) || math.Abs(fl) > 1<<53 {
		return 0, false
	}
	return int64(fl), true
}

// boolean reads true/false (and DRF's spellings of them).
func (f *form) boolean(field string) (bool, bool) {
	v, ok := f.take(field, false)
	if !ok {
		return false, false
	}
	var b, valid bool
	switch v := v.(type) {
	case bool:
		b, valid = v, true
	case json.Number, string:
		switch strings.ToLower(fmt.Sprint(v)) {
		case "true", "1", "yes", "on", "t", "y":
			b, valid = true, true
		case "false", "0", "no", "off", "f", "n":
			b, valid = false, true
		}
	}
	if !valid {
		f.errs.Add(field, "Must be a valid boolean.")
		return false, false
	}
	f.keep(field, b)
	return b, true
}

// choice reads one of choices.
func (f *form) choice(field string, choices []string, required bool) (string, bool) {
	v, ok := f.take(field, required)
	if !ok {
		return "", false
	}
	s, isString := v.(string)
	for _, c := range choices {
		if isString && s == c {
			f.keep(field, s)
			return s, true
		}
	}
	f.errs.Add(field, fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(v)))
	return "", false
}

// link reads an http(s) URL of at most max characters, or "" to clear it.
func (f *form) link(field string, max int) (string, bool) {
	s, ok := f.text(field, max, false)
	if !ok {
		return "", false
	}
	if s != "" {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			delete(f.clean, field)
			f.errs.Add(field, "Enter a valid URL.")
			return "", false
		}
	}
	return s, true
}

// stringList reads a list of at most maxItems strings of at most maxChars each.
func (f *form) stringList(field string, maxItems, maxChars int) ([]string, bool) {
	v, ok := f.take(field, false)
	if !ok {
		return nil, false
	}
	items, isList := v.([]any)
	if !isList {
		f.errs.Add(field, fmt.Sprintf("Expected a list of items but got type %q.", jsonType(v)))
		return nil, false
	}
	if len(items) > maxItems {
		f.errs.Add(field, fmt.Sprintf("Ensure this field has no more than %d elements.", maxItems))
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, isString := it.(string)
		if !isString || len([]rune(s)) > maxChars {
			f.errs.Add(field, fmt.Sprintf("Each item must be a string of at most %d characters.", maxChars))
			return nil, false
		}
		out = append(out, s)
	}
	f.keep(field, out)
	return out, true
}

// object reads a JSON object.
func (f *form) object(field string, required bool) (map[string]any, bool) {
	v, ok := f.take(field, required)
	if !ok {
		return nil, false
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		f.errs.Add(field, fmt.Sprintf("Expected a dictionary of items but got type %q.", jsonType(v)))
		return nil, false
	}
	f.keep(field, obj)
	return obj, true
}

// datetime reads an RFC 3339 time (or null, to clear it: ok with a zero time).
func (f *form) datetime(field string) (time.Time, bool) {
	v, present := f.data[field]
	if !present {
		return time.Time{}, false
	}
	if v == nil {
		f.keep(field, "")
		return time.Time{}, true
	}
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		f.errs.Add(field, "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
		return time.Time{}, false
	}
	f.keep(field, t.UTC())
	return t.UTC(), true
}

// nest records the form a nested object was read into.
func (f *form) nest(field string, sub *form) {
	if f.nested == nil {
		f.nested = map[string]*form{}
	}
	f.nested[field] = sub
}

// err returns the collected field errors as a 400 answer, or nil; a nested
// object's errors are nested, as DRF does ({"profile": {"website": [...]}}).
func (f *form) err() error {
	body := map[string]any{}
	for field, sub := range f.nested {
		if len(sub.errs) > 0 {
			body[field] = sub.errs
		}
	}
	if len(body) == 0 {
		return f.errs.Err()
	}
	for k, v := range f.errs {
		body[k] = v
	}
	return &apiError{status: http.StatusBadRequest, body: body}
}

// exposeToRules makes the fields read successfully, and only those, the
// @request.body that API rules see, so that a rule judges exactly the write.
// The body is already consumed: PocketBase must not parse it again.
func (f *form) exposeToRules(e *core.RequestEvent) error {
	e.Request.Body, e.Request.ContentLength = http.NoBody, 0
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	info.Body = f.clean
	return nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "str"
	case json.Number, float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
