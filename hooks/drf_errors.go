package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// The conventions of Django REST Framework that the seed API keeps (spec
// section 4): error shapes, authentication answers, pagination, times.

// DRF's own messages, which seed clients may match on.
const (
	msgNotAuthenticated = "Authentication credentials were not provided."
	msgTokenNotValid    = "Given token not valid for any token type"
	msgForbidden        = "You do not have permission to perform this action."
	msgNotFound         = "Not found."
	msgServerError      = "A server error occurred."
)

// apiError is an answer in DRF's shape, returned as an error by seed handlers
// and written by the drfBoundary middleware.
type apiError struct {
	status int
	body   any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %v", e.status, e.body) }

// errDetail is the answer {"detail": msg} with status.
func errDetail(status int, msg string) error {
	return &apiError{status: status, body: map[string]string{"detail": msg}}
}

var (
	errNotFound  = errDetail(http.StatusNotFound, msgNotFound)
	errForbidden = errDetail(http.StatusForbidden, msgForbidden)
)

// FieldErrors is DRF's validation error body: field name (or
// "non_field_errors") to messages.
type FieldErrors map[string][]string

// Add records a message for field.
func (fe FieldErrors) Add(field, msg string) { fe[field] = append(fe[field], msg) }

// Err returns the 400 answer, or nil when there are no errors.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, body: fe}
}

// errNonField is a 400 {"non_field_errors": [msg]}.
func errNonField(msg string) error {
	return FieldErrors{"non_field_errors": {msg}}.Err()
}

// drfBoundary is the seed API's error boundary: whatever a handler returns
// leaves in DRF's shape, and nothing internal leaks into a response. It also
// sets the request body aside for readForm, so that nothing else (PocketBase's
// RequestInfo, which rule checks call) parses it, with its own limits and
// errors, before the route has decided to read it.
func drfBoundary(e *core.RequestEvent) error {
	e.Set(heldBodyKey, heldBody{body: e.Request.Body, length: e.Request.ContentLength})
	e.Request.Body, e.Request.ContentLength = http.NoBody, 0
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	var drf *apiError
	var verrs validation.Errors
	var pbErr *router.ApiError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &drf):
		return e.JSON(drf.status, drf.body)
	case errors.As(err, &verrs):
		return e.JSON(http.StatusBadRequest, fieldErrorsOf(verrs))
	case errors.As(err, &tooBig):
		return e.JSON(http.StatusRequestEntityTooLarge, map[string]string{"detail": fmt.Sprintf("Request body exceeds %d bytes.", tooBig.Limit)})
	case errors.Is(err, sql.ErrNoRows):
		return e.JSON(http.StatusNotFound, map[string]string{"detail": msgNotFound})
	case errors.As(err, &pbErr) && pbErr.Status < 500:
		if data, ok := pbErr.RawData().(validation.Errors); ok {
			return e.JSON(http.StatusBadRequest, fieldErrorsOf(data))
		}
		return e.JSON(pbErr.Status, map[string]string{"detail": pbErr.Message})
	}
	e.App.Logger().Error("seed API handler failed", "method", e.Request.Method, "path", e.Request.URL.Path, "error", err.Error())
	return e.JSON(http.StatusInternalServerError, map[string]string{"detail": msgServerError})
}

// fieldErrorsOf converts PocketBase's validation errors, flattening nested ones
// ("profile.website").
func fieldErrorsOf(errs validation.Errors) FieldErrors {
	out := FieldErrors{}
	var walk func(prefix string, errs validation.Errors)
	walk = func(prefix string, errs validation.Errors) {
		for field, err := range errs {
			var nested validation.Errors
			if errors.As(err, &nested) {
				walk(prefix+field+".", nested)
				continue
			}
			out.Add(prefix+field, drfMessage(err))
		}
	}
	walk("", errs)
	return out
}

// drfMessage words a validation error as DRF would where their meanings meet.
func drfMessage(err error) string {
	var ve validation.Error
	if !errors.As(err, &ve) {
		return err.Error()
	}
	switch ve.Code() {
	case "validation_required", "validation_nil_or_not_empty_required":
		return "This field may not be blank."
	case "validation_not_unique":
		return "A record with this value already exists."
	}
	return ve.Error()
}

// requireUser lets through requests authenticated as a users record: 401 for
// none or a bad credential, 403 for a superuser (who uses the records API).
func requireUser(e *core.RequestEvent) error {
	if e.Auth == nil {
		e.Response.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		if e.Request.Header.Get("Authorization") != "" {
			return &apiError{status: http.StatusUnauthorized, body: map[string]string{
				"detail": msgTokenNotValid, "code": "token_not_valid",
			}}
		}
		return errDetail(http.StatusUnauthorized, msgNotAuthenticated)
	}
	if e.Auth.Collection().Name != c.Users {
		return errDetail(http.StatusForbidden, "The seed API is for user accounts; superusers use the records API.")
	}
	return e.Next()
}

// only returns a subgroup of g whose routes answer 403 to users without one of
// roles, before anything else: DRF checks a view's permissions before its
// methods, so a client's POST to an admin-only GET path is 403, not 405.
func only(g group, roles ...string) group {
	return group{g.Group("").BindFunc(func(e *core.RequestEvent) error {
		return withRoles(func(e *core.RequestEvent) error { return e.Next() }, roles...)(e)
	}), g.routes}
}

// withRoles runs h for users of one of roles (after requireUser) and
// answers 403 to the others: for one method of a path.
func withRoles(h handler, roles ...string) handler {
	return func(e *core.RequestEvent) error {
		if slices.Contains(roles, e.Auth.GetString(c.UserRole)) {
			return h(e)
		}
		return errForbidden
	}
}

// ruleQuery returns a query of the records of col that rule lets the request
// reach, built by PocketBase's own rule resolver: the seed API's single
// statement of visibility is the collection's API rule.
func ruleQuery(e *core.RequestEvent, col *core.Collection, rule *string) (*dbx.SelectQuery, error) {
	q := e.App.RecordQuery(col)
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	if err := applyRule(e.App, q, col, info, rule); err != nil {
		return nil, err
	}
	return q, nil
}

func applyRule(app core.App, q *dbx.SelectQuery, col *core.Collection, info *core.RequestInfo, rule *string) error {
	if info.HasSuperuserAuth() || (rule != nil && *rule == "") {
		return nil
	}
	if rule == nil {
		q.AndWhere(dbx.NewExp("1 = 0"))
		return nil
	}
	resolver := core.NewRecordFieldResolver(app, col, info, true)
	expr, err := search.FilterData(*rule).BuildExpr(resolver)
	if err != nil {
		return fmt.Errorf("rule of %s: %w", col.Name, err)
	}
	q.AndWhere(expr)
	return resolver.UpdateQuery(q)
}

// listQuery is ruleQuery with the collection's list rule.
func listQuery(e *core.RequestEvent, collection string) (*dbx.SelectQuery, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	return ruleQuery(e, col, col.ListRule)
}

// findVisible loads the record id of collection if its view rule lets the
// request see it, and answers 404 otherwise.
func findVisible(e *core.RequestEvent, collection, id string) (*core.Record, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	rec, err := e.App.FindRecordById(col, id, func(q *dbx.SelectQuery) error {
		return applyRule(e.App, q, col, info, col.ViewRule)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return rec, err
}

// allowed reports whether rule (an update or delete rule) lets the request act
// on rec, with @request.body as the request's (filtered) body.
func allowed(e *core.RequestEvent, rec *core.Record, rule *string) (bool, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	return e.App.CanAccessRecord(rec, info, rule)
}

// mayAct answers refused (errForbidden for a record the caller may see,
// errNotFound where even its existence is private) unless rule, an update or
// delete rule, lets the request act on rec.
func mayAct(e *core.RequestEvent, rec *core.Record, rule *string, refused error) error {
	ok, err := allowed(e, rec, rule)
	if err != nil {
		return err
	}
	if !ok {
		return refused
	}
	return nil
}

// Pagination of model lists, DRF's PageNumberPagination.
const (
	defaultPageSize = 20
	maxPageSize     = 100
	// maxBareList caps the seed's extra list actions, which return bare arrays.
	maxBareList = 1000
)

// shower turns a list's records into their representations, loading what
// they refer to for the whole list at once.
type shower func(app core.App, records []*core.Record) ([]any, error)

// each is the shower of a representation that needs nothing else.
func each(show func(*core.Record) any) shower {
	return func(_ core.App, records []*core.Record) ([]any, error) {
		out := make([]any, len(records))
		for i, r := range records {
			out[i] = show(r)
		}
		return out, nil
	}
}

// recordsByID loads the records of collection with ids, in one query.
func recordsByID(app core.App, collection string, ids []string) (map[string]*core.Record, error) {
	records, err := app.FindRecordsByIds(collection, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Record, len(records))
	for _, r := range records {
		byID[r.Id] = r
	}
	return byID, nil
}

// fieldValues returns the distinct non-empty values of field in records.
func fieldValues(records []*core.Record, field string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range records {
		if v := r.GetString(field); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// page is DRF's paginated list body.
type page struct {
	Count    int64   `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []any   `json:"results"`
}

// paginate answers a page of the records that build selects, in order, each
// shown by show. build is called twice: for the count and for the page.
func paginate(e *core.RequestEvent, build func() (*dbx.SelectQuery, error), order []string, show shower) error {
	size := defaultPageSize
	if v, err := strconv.Atoi(e.Request.URL.Query().Get("page_size")); err == nil && v > 0 {
		size = min(v, maxPageSize)
	}
	countQ, err := build()
	if err != nil {
		return err
	}
	var count int64
	if err := countQ.Select("COUNT(*)").Distinct(false).Row(&count); err != nil {
		return err
	}
	pages := max(1, int((count+int64(size)-1)/int64(size)))
	number := 1
	if v := e.Request.URL.Query().Get("page"); v == "last" {
		number = pages
	} else if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > pages {
			return errDetail(http.StatusNotFound, "Invalid page.")
		}
		number = n
	}
	q, err := build()
	if err != nil {
		return err
	}
	var records []*core.Record
	if err := q.OrderBy(order...).Offset(int64((number - 1) * size)).Limit(int64(size)).All(&records); err != nil {
		return err
	}
	results, err := show(e.App, records)
	if err != nil {
		return err
	}
	body := page{Count: count, Results: results}
	if number < pages {
		body.Next = pageURL(e, number+1)
	}
	if number > 1 {
		body.Previous = pageURL(e, number-1)
	}
	return e.JSON(http.StatusOK, body)
}

// pageURL is the absolute URL of the request with another page number (DRF
// leaves the page parameter out for page 1).
func pageURL(e *core.RequestEvent, number int) *string {
	u := *e.Request.URL
	q := u.Query()
	if number == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(number))
	}
	u.RawQuery = q.Encode()
	scheme := "http"
	if e.IsTLS() || e.Request.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	s := (&url.URL{Scheme: scheme, Host: e.Request.Host, Path: u.Path, RawQuery: u.RawQuery}).String()
	return &s
}

// bareList answers the seed's bare JSON array of the records q selects, in
// order, capped at maxBareList.
func bareList(e *core.RequestEvent, q *dbx.SelectQuery, order []string, show shower) error {
	var records []*core.Record
	if err := q.OrderBy(order...).Limit(maxBareList).All(&records); err != nil {
		return err
	}
	out, err := show(e.App, records)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// rfc3339 formats a stored time as RFC 3339 UTC, and a missing one as null.
func rfc3339(dt types.DateTime) any {
	if dt.IsZero() {
		return nil
	}
	return dt.Time().UTC().Format("2006-01-02T15:04:05.000Z")
}

// drfDuration formats milliseconds as DRF's DurationField does ("00:00:00.100000").
func drfDuration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	if us := d.Microseconds() % 1e6; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if days > 0 {
		s = fmt.Sprintf("%d %s", days, s)
	}
	return s
}

// heldBody is the request body as drfBoundary found it.
type heldBody struct {
	body   io.ReadCloser
	length int64
}

const heldBodyKey = "toolbase.body"

// firstErr returns err, or fallback when err is nil.
func firstErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// inTransaction runs fn with e.App bound to one transaction (PocketBase's
// pattern for request handlers), so that rule checks and writes in fn see
// and change the same state.
func inTransaction(e *core.RequestEvent, fn func() error) error {
	app := e.App
	defer func() { e.App = app }()
	return app.RunInTransaction(func(tx core.App) error {
		e.App = tx
		return fn()
	})
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike escapes LIKE's wildcards, for ESCAPE '\'.
func escapeLike(s string) string { return likeEscaper.Replace(s) }

// canCreate evaluates the collection's create rule for the new record rec and
// the request (its @request.body being the fields read), the way PocketBase's
// records API does (apis/record_crud.go recordCreate): the rule runs against a
// one-row CTE holding rec's values.
func canCreate(e *core.RequestEvent, rec *core.Record) (bool, error) {
	col := rec.Collection()
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	if info.HasSuperuserAuth() {
		return true, nil
	}
	if col.CreateRule == nil {
		return false, nil
	}
	if *col.CreateRule == "" {
		return true, nil
	}
	dummy := rec.Clone()
	suffix := "__pb_create__" + security.PseudorandomString(6)
	if dummy.Id == "" {
		dummy.Id = "__temp_id__" + suffix
	}
	dummy.SetVerified(false)
	export, err := dummy.DBExport(e.App)
	if err != nil {
		return false, err
	}
	params := make(dbx.Params, len(export))
	selects := make([]string, 0, len(export))
	for k, v := range export {
		k = inflector.Columnify(k)
		param := "__pb_create__" + k
		params[param] = v
		selects = append(selects, "{:"+param+"} AS [["+k+"]]")
	}
	dummyCol := *col
	dummyCol.Id += suffix
	dummyCol.Name += inflector.Columnify(suffix)
	with := fmt.Sprintf("WITH {{%s}} as (SELECT %s)", dummyCol.Name, strings.Join(selects, ","))
	q := e.App.ConcurrentDB().Select("(1)").PreFragment(with).From(dummyCol.Name).AndBind(params)
	resolver := core.NewRecordFieldResolver(e.App, &dummyCol, info, true)
	expr, err := search.FilterData(*dummyCol.CreateRule).BuildExpr(resolver)
	if err != nil {
		return false, fmt.Errorf("create rule of %s: %w", col.Name, err)
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return false, err
	}
	var exists int
	if err := q.Limit(1).Row(&exists); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return exists > 0, nil
}
