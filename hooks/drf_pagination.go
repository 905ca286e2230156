package hooks

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Pagination of model lists, DRF's PageNumberPagination.
const (
	defaultPageSize = 20
	maxPageSize     = 100
	// maxBareList caps the DRF API's extra list actions, which return bare arrays.
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

// bareList answers the DRF API's bare JSON array of the records q selects, in
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

// usersOf loads the users that fields of records name, in one query.
func usersOf(app core.App, records []*core.Record, fields ...string) (map[string]*core.Record, error) {
	var ids []string
	for _, f := range fields {
		ids = append(ids, fieldValues(records, f)...)
	}
	return recordsByID(app, c.Users, ids)
}

// answerOne answers one record shown by show.
func answerOne(e *core.RequestEvent, status int, show shower, r *core.Record) error {
	views, err := show(e.App, []*core.Record{r})
	if err != nil {
		return err
	}
	return e.JSON(status, views[0])
}

// choiceFilters turns the query parameters named in filters (parameter →
// choices, nil for any value) into conditions on table's same-named fields,
// with django-filter's 400 for a value that is not a choice.
func choiceFilters(e *core.RequestEvent, table string, filters map[string][]string) ([]dbx.Expression, error) {
	var conds []dbx.Expression
	errs := FieldErrors{}
	for param, choices := range filters {
		v := e.Request.URL.Query().Get(param)
		if v == "" {
			continue
		}
		if choices != nil && !slices.Contains(choices, v) {
			errs.Add(param, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v))
			continue
		}
		conds = append(conds, dbx.HashExp{table + "." + param: v})
	}
	return conds, errs.Err()
}

// newestFirst orders by creation, ties broken by insertion order (both are
// in the (user, created_at) index, whose entries end with the rowid).
func newestFirst(table string) []string {
	return []string{"[[" + table + "." + c.FieldCreatedAt + "]] DESC", "[[" + table + ".rowid]] DESC"}
}

// listing is one DRF model's list and detail: the records of collection that
// the caller may see (the collection's list rule, or the rule that rule
// returns), in order (nil: newestFirst), each shown by show. The list
// handlers describe their model with it and add only their filters.
type listing struct {
	collection string
	rule       func(col *core.Collection) *string
	order      []string
	show       shower
}

// query selects what l lists, narrowed by conds.
func (l listing) query(e *core.RequestEvent, conds []dbx.Expression) (*dbx.SelectQuery, error) {
	var q *dbx.SelectQuery
	if l.rule == nil {
		var err error
		if q, err = listQuery(e, l.collection); err != nil {
			return nil, err
		}
	} else {
		col, err := e.App.FindCachedCollectionByNameOrId(l.collection)
		if err != nil {
			return nil, err
		}
		if q, err = ruleQuery(e, col, l.rule(col)); err != nil {
			return nil, err
		}
	}
	for _, cond := range conds {
		q.AndWhere(cond)
	}
	return q, nil
}

func (l listing) ordering() []string {
	if l.order == nil {
		return newestFirst(l.collection)
	}
	return l.order
}

// list answers a page (DRF's pagination) of what l lists, narrowed by conds.
func (l listing) list(e *core.RequestEvent, conds ...dbx.Expression) error {
	build := func() (*dbx.SelectQuery, error) { return l.query(e, conds) }
	return paginate(e, build, l.ordering(), l.show)
}

// filtered is list narrowed by choiceFilters (query parameter → choices).
func (l listing) filtered(e *core.RequestEvent, filters map[string][]string) error {
	conds, err := choiceFilters(e, l.collection, filters)
	if err != nil {
		return err
	}
	return l.list(e, conds...)
}

// listRoute is the handler of l's list, narrowed by choiceFilters
// (query parameter → choices; nil: no filter).
func (l listing) listRoute(filters map[string][]string) handler {
	return func(e *core.RequestEvent) error { return l.filtered(e, filters) }
}

// bare answers the bare array (the DRF API's extra list actions) of what l
// lists, narrowed by conds, capped at maxBareList.
func (l listing) bare(e *core.RequestEvent, conds ...dbx.Expression) error {
	q, err := l.query(e, conds)
	if err != nil {
		return err
	}
	return bareList(e, q, l.ordering(), l.show)
}

// detail answers the record of the path's {id} if the caller may see it (its
// view rule; 404 otherwise).
func (l listing) detail(e *core.RequestEvent) error {
	r, err := findVisible(e, l.collection, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return answerOne(e, http.StatusOK, l.show, r)
}
