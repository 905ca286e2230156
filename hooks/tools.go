package hooks

import (
	"database/sql"
	"encoding/json"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"

	c "toolbase/collections"
)

// The seed API's tools (spec section 4): list, create, view, edit, delete,
// search and a creator's own tools. Who may see or change a tool is decided by
// the tools collection's API rules (collections/rules.go), evaluated by
// PocketBase for each request; this file only shapes requests and answers.

// Limits of a tool's text fields, as the schema has them.
const (
	maxToolNameChars        = 200
	maxToolDescriptionChars = 10000
	maxToolVersionChars     = 50
	// maxSearchChars bounds ?search= and ?q=: each word becomes LIKE clauses.
	maxSearchChars = 200
)

func bindToolRoutes(authed group) {
	route(authed, "/tools/tools/", map[string]handler{
		http.MethodGet:  toolList,
		http.MethodPost: toolCreate,
	})
	route(authed, "/tools/tools/search/", map[string]handler{http.MethodGet: toolSearch})
	creators := authed.Group("").BindFunc(requireRole(c.RoleToolCreator, c.RoleAdmin))
	route(creators, "/tools/tools/my_tools/", map[string]handler{http.MethodGet: toolMine})
	route(authed, "/tools/tools/{id}/", map[string]handler{
		http.MethodGet:    toolDetail,
		http.MethodPut:    toolUpdate,
		http.MethodPatch:  toolUpdate,
		http.MethodDelete: toolDelete,
	})
}

// ---------------------------------------------------------------------------
// Representations

// toolView is the seed's detail representation of a tool, plus rating_count.
type toolView struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Category         string   `json:"category"`
	Status           string   `json:"status"`
	Creator          string   `json:"creator"`
	CreatorName      string   `json:"creator_name"`
	CreatorEmail     string   `json:"creator_email"`
	PointsCost       int64    `json:"points_cost"`
	APIEndpoint      string   `json:"api_endpoint"`
	APIDocumentation string   `json:"api_documentation"`
	Tags             []string `json:"tags"`
	Version          string   `json:"version"`
	TotalUses        int64    `json:"total_uses"`
	TotalRevenue     int64    `json:"total_revenue"`
	AverageRating    float64  `json:"average_rating"`
	RatingCount      int64    `json:"rating_count"`
	CreatedAt        any      `json:"created_at"`
	UpdatedAt        any      `json:"updated_at"`
}

// toolListView is the seed's list representation of a tool, plus the
// creator's id.
type toolListView struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Description   string  `json:"description"`
	Category      string  `json:"category"`
	Status        string  `json:"status"`
	Creator       string  `json:"creator"`
	CreatorName   string  `json:"creator_name"`
	PointsCost    int64   `json:"points_cost"`
	TotalUses     int64   `json:"total_uses"`
	AverageRating float64 `json:"average_rating"`
	CreatedAt     any     `json:"created_at"`
}

// newToolView shows tool t, whose creator is the users record u (nil if it is gone).
func newToolView(t, u *core.Record) toolView {
	tool := c.AsTool(t)
	name, email := creatorOf(u)
	return toolView{
		ID:               t.Id,
		Name:             tool.Name(),
		Description:      t.GetString(c.ToolDescription),
		Category:         t.GetString(c.ToolCategory),
		Status:           tool.Status(),
		Creator:          tool.Creator(),
		CreatorName:      name,
		CreatorEmail:     email,
		PointsCost:       tool.PointsCost(),
		APIEndpoint:      tool.APIEndpoint(),
		APIDocumentation: t.GetString(c.ToolAPIDocumentation),
		Tags:             toolTags(t),
		Version:          t.GetString(c.ToolVersion),
		TotalUses:        tool.TotalUses(),
		TotalRevenue:     tool.TotalRevenue(),
		AverageRating:    rating2(tool.AverageRating()),
		RatingCount:      tool.RatingCount(),
		CreatedAt:        rfc3339(t.GetDateTime(c.FieldCreatedAt)),
		UpdatedAt:        rfc3339(t.GetDateTime(c.FieldUpdatedAt)),
	}
}

// newToolListView shows tool t in a list.
func newToolListView(t, u *core.Record) toolListView {
	tool := c.AsTool(t)
	name, _ := creatorOf(u)
	return toolListView{
		ID:            t.Id,
		Name:          tool.Name(),
		Description:   t.GetString(c.ToolDescription),
		Category:      t.GetString(c.ToolCategory),
		Status:        tool.Status(),
		Creator:       tool.Creator(),
		CreatorName:   name,
		PointsCost:    tool.PointsCost(),
		TotalUses:     tool.TotalUses(),
		AverageRating: rating2(tool.AverageRating()),
		CreatedAt:     rfc3339(t.GetDateTime(c.FieldCreatedAt)),
	}
}

func creatorOf(u *core.Record) (name, email string) {
	if u == nil {
		return "", ""
	}
	return c.AsUser(u).FullName(), u.Email()
}

// toolTags returns the tags as a list (never null).
func toolTags(t *core.Record) []string {
	tags := []string{}
	if raw := t.GetString(c.ToolTags); raw != "" {
		if err := json.Unmarshal([]byte(raw), &tags); err != nil || tags == nil {
			tags = []string{}
		}
	}
	return tags
}

func rating2(v float64) float64 { return math.Round(v*100) / 100 }

// showTool answers one tool in the detail representation.
func showTool(e *core.RequestEvent, status int, t *core.Record) error {
	// users' view rule hides other users; a tool's creator name and email are
	// the tool's own public fields, so the creator is read directly
	u, err := e.App.FindRecordById(c.Users, t.GetString(c.ToolCreator))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return e.JSON(status, newToolView(t, u))
}

// toolShower returns the show function of a list of tools: detail or list
// representation, with the creators of the whole list loaded in one query.
func toolShower(e *core.RequestEvent, detail bool) func(*core.Record) any {
	rel := newRelated(e.App)
	return func(t *core.Record) any {
		creator := t.GetString(c.ToolCreator)
		rel.add(c.Users, creator)
		return lazyView{rel: rel, view: func() any {
			if detail {
				return newToolView(t, rel.get(c.Users, creator))
			}
			return newToolListView(t, rel.get(c.Users, creator))
		}}
	}
}

// related loads the records that the views of a list refer to (a page's
// creators, tools, users) with one query per collection. paginate and
// bareList show one record at a time, so each view registers what it needs
// when it is made, and the first view to be encoded loads everything.
type related struct {
	app  core.App
	ids  map[string][]string
	seen map[string]map[string]bool
	got  map[string]map[string]*core.Record
	once sync.Once
	err  error
}

func newRelated(app core.App) *related {
	return &related{app: app, ids: map[string][]string{}, seen: map[string]map[string]bool{}}
}

// add registers the record id of collection for loading.
func (r *related) add(collection, id string) {
	if id == "" {
		return
	}
	if r.seen[collection] == nil {
		r.seen[collection] = map[string]bool{}
	}
	if !r.seen[collection][id] {
		r.seen[collection][id] = true
		r.ids[collection] = append(r.ids[collection], id)
	}
}

// load fetches every registered record, once.
func (r *related) load() error {
	r.once.Do(func() {
		r.got = map[string]map[string]*core.Record{}
		for collection, ids := range r.ids {
			records, err := r.app.FindRecordsByIds(collection, ids)
			if err != nil {
				r.err = err
				return
			}
			byID := make(map[string]*core.Record, len(records))
			for _, rec := range records {
				byID[rec.Id] = rec
			}
			r.got[collection] = byID
		}
	})
	return r.err
}

// get returns a loaded record, or nil.
func (r *related) get(collection, id string) *core.Record { return r.got[collection][id] }

// lazyView is a view that is built when it is encoded, after its related
// records are loaded.
type lazyView struct {
	rel  *related
	view func() any
}

// MarshalJSONTo encodes the view with the encoder's own options (e.JSON's).
func (v lazyView) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := v.rel.load(); err != nil {
		return err
	}
	return jsonv2.MarshalEncode(enc, v.view())
}

// ---------------------------------------------------------------------------
// Reading requests

// ignoreBody drops the body of a GET or DELETE, which the seed API ignores:
// the rules' @request.body would otherwise parse it, and fail on a malformed one.
func ignoreBody(e *core.RequestEvent) {
	e.Request.Body, e.Request.ContentLength = http.NoBody, 0
}

// withoutBody runs fn with the request body set aside: rules evaluated in fn
// see an empty @request.body, and nothing in fn parses or consumes the body,
// which readForm reads afterwards. It lets a route answer 404 and 403 before
// it reads the body, as DRF does.
func withoutBody(e *core.RequestEvent, fn func() error) error {
	body, length := e.Request.Body, e.Request.ContentLength
	ignoreBody(e)
	defer func() { e.Request.Body, e.Request.ContentLength = body, length }()
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	// in case an earlier middleware had the body parsed already
	seen := info.Body
	info.Body = map[string]any{}
	defer func() { info.Body = seen }()
	return fn()
}

// readToolFields reads every writable field of a tool into f (f.clean holds
// the valid ones, which are also the rules' @request.body). Read-only fields
// (id, creator, counters, timestamps) and unknown ones are ignored.
func readToolFields(f *form) {
	f.text(c.ToolName, maxToolNameChars, true)
	f.text(c.ToolDescription, maxToolDescriptionChars, false)
	f.choice(c.ToolCategory, c.Categories, false)
	f.choice(c.ToolStatus, c.Statuses, false)
	f.integer(c.ToolPointsCost, 0, c.MaxPointsCost, false)
	f.link(c.ToolAPIEndpoint)
	f.link(c.ToolAPIDocumentation)
	f.stringList(c.ToolTags, maxListItems, maxItemChars)
	if v, ok := f.text(c.ToolVersion, maxToolVersionChars, false); ok && v == "" {
		delete(f.clean, c.ToolVersion)
		f.errs.Add(c.ToolVersion, "This field may not be blank.")
	}
}

// refusedOnlyForStatus reports whether check, which refused the request,
// accepts it once the status is left out of @request.body: then the status
// move alone is what the rule forbids.
func refusedOnlyForStatus(f *form, check func() (bool, error)) (bool, error) {
	status, ok := f.clean[c.ToolStatus]
	if !ok {
		return false, nil
	}
	delete(f.clean, c.ToolStatus)
	defer func() { f.clean[c.ToolStatus] = status }()
	return check()
}

// ---------------------------------------------------------------------------
// Handlers

// toolFilters reads the list filters ?search=, ?category=, ?status= and
// ?creator= into SQL conditions on the tools table.
func toolFilters(e *core.RequestEvent) ([]dbx.Expression, error) {
	query := e.Request.URL.Query()
	var exprs []dbx.Expression
	errs := FieldErrors{}
	if expr, ok := searchWords(errs, "search", query.Get("search")); ok && expr != nil {
		exprs = append(exprs, expr)
	}
	if expr, ok := choiceFilter(errs, "category", query.Get("category"), c.Categories); ok {
		exprs = append(exprs, expr)
	}
	if expr, ok := choiceFilter(errs, "status", query.Get("status"), c.Statuses); ok {
		exprs = append(exprs, expr)
	}
	if v := query.Get("creator"); v != "" {
		exprs = append(exprs, dbx.HashExp{c.Tools + "." + c.ToolCreator: v})
	}
	return exprs, errs.Err()
}

// choiceFilter is the condition field = v for a v among choices ("" for none).
func choiceFilter(errs FieldErrors, field, v string, choices []string) (dbx.Expression, bool) {
	if v == "" {
		return nil, false
	}
	if !slices.Contains(choices, v) {
		errs.Add(field, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v))
		return nil, false
	}
	return dbx.HashExp{c.Tools + "." + field: v}, true
}

// searchWords is DRF's SearchFilter over name, description and tags: every
// word (split on spaces and commas) must occur, case-insensitively, in one of
// them.
func searchWords(errs FieldErrors, param, raw string) (dbx.Expression, bool) {
	if len([]rune(raw)) > maxSearchChars {
		errs.Add(param, fmt.Sprintf("Ensure this value has at most %d characters.", maxSearchChars))
		return nil, false
	}
	words := strings.FieldsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if len(words) == 0 {
		return nil, true
	}
	all := make([]dbx.Expression, len(words))
	for i, w := range words {
		p := fmt.Sprintf("tb_%s%d", param, i)
		all[i] = dbx.NewExp(fmt.Sprintf("(%s OR %s OR EXISTS (SELECT 1 FROM %s {{tb_tag}} WHERE [[tb_tag.value]] LIKE {:%s} ESCAPE '\\'))",
			likeColumn(c.ToolName, p), likeColumn(c.ToolDescription, p), dbutils.JSONEach(c.Tools+"."+c.ToolTags), p),
			dbx.Params{p: "%" + escapeLike(w) + "%"})
	}
	return dbx.And(all...), true
}

// matchQ is the seed's search/?q=: name or description contains q, or q is
// one of the tags (case-insensitively).
func matchQ(q string) dbx.Expression {
	p := "tb_q"
	return dbx.NewExp(fmt.Sprintf("(%s OR %s OR EXISTS (SELECT 1 FROM %s {{tb_tag}} WHERE LOWER([[tb_tag.value]]) = LOWER({:tb_qtag})))",
		likeColumn(c.ToolName, p), likeColumn(c.ToolDescription, p), dbutils.JSONEach(c.Tools+"."+c.ToolTags)),
		dbx.Params{p: "%" + escapeLike(q) + "%", "tb_qtag": q})
}

func likeColumn(field, param string) string {
	return fmt.Sprintf("[[%s.%s]] LIKE {:%s} ESCAPE '\\'", c.Tools, field, param)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func escapeLike(s string) string { return likeEscaper.Replace(s) }

// toolOrderings are the fields ?ordering= accepts (DRF's OrderingFilter:
// comma-separated, "-" for descending; unknown fields are ignored).
var toolOrderings = []string{
	c.ToolName, c.ToolCategory, c.ToolStatus, c.ToolPointsCost, c.ToolTotalUses, c.ToolTotalRevenue,
	c.ToolAverageRating, c.ToolRatingCount, c.ToolVersion, c.FieldCreatedAt, c.FieldUpdatedAt,
}

// toolOrder returns the ORDER BY columns of ?ordering=, newest first by
// default, with the id as the last tie-breaker so that pages are stable.
func toolOrder(e *core.RequestEvent) []string {
	var order []string
	for _, f := range strings.Split(e.Request.URL.Query().Get("ordering"), ",") {
		f = strings.TrimSpace(f)
		dir := " ASC"
		if strings.HasPrefix(f, "-") {
			f, dir = f[1:], " DESC"
		}
		if slices.Contains(toolOrderings, f) {
			order = append(order, c.Tools+"."+f+dir)
		}
	}
	if len(order) == 0 {
		order = []string{c.Tools + "." + c.FieldCreatedAt + " DESC"}
	}
	return append(order, c.Tools+"."+c.FieldID+" DESC")
}

// visibleTools returns the tools the caller may see (the list rule), with conds.
func visibleTools(e *core.RequestEvent, conds []dbx.Expression) (*dbx.SelectQuery, error) {
	q, err := listQuery(e, c.Tools)
	if err != nil {
		return nil, err
	}
	for _, cond := range conds {
		q.AndWhere(cond)
	}
	return q, nil
}

// GET /api/tools/tools/
func toolList(e *core.RequestEvent) error {
	ignoreBody(e)
	conds, err := toolFilters(e)
	if err != nil {
		return err
	}
	return paginate(e, func() (*dbx.SelectQuery, error) { return visibleTools(e, conds) }, toolOrder(e), toolShower(e, false))
}

// GET /api/tools/tools/search/?q=&category=
func toolSearch(e *core.RequestEvent) error {
	ignoreBody(e)
	query := e.Request.URL.Query()
	errs := FieldErrors{}
	var conds []dbx.Expression
	if q := strings.TrimSpace(query.Get("q")); len([]rune(q)) > maxSearchChars {
		errs.Add("q", fmt.Sprintf("Ensure this value has at most %d characters.", maxSearchChars))
	} else if q != "" {
		conds = append(conds, matchQ(q))
	}
	if expr, ok := choiceFilter(errs, "category", query.Get("category"), c.Categories); ok {
		conds = append(conds, expr)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	q, err := visibleTools(e, conds)
	if err != nil {
		return err
	}
	return bareList(e, q, toolOrder(e), toolShower(e, true))
}

// GET /api/tools/tools/my_tools/ (creators and admins): own tools, any status.
func toolMine(e *core.RequestEvent) error {
	ignoreBody(e)
	conds, err := toolFilters(e)
	if err != nil {
		return err
	}
	q, err := visibleTools(e, append(conds, dbx.HashExp{c.Tools + "." + c.ToolCreator: e.Auth.Id}))
	if err != nil {
		return err
	}
	return bareList(e, q, toolOrder(e), toolShower(e, true))
}

// GET /api/tools/tools/{id}/
func toolDetail(e *core.RequestEvent) error {
	ignoreBody(e)
	t, err := findVisible(e, c.Tools, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return showTool(e, http.StatusOK, t)
}

// POST /api/tools/tools/: the tools create rule decides who may create what;
// the caller is the creator.
func toolCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.Tools)
	if err != nil {
		return err
	}
	t := core.NewRecord(col)
	t.Set(c.ToolCreator, e.Auth.Id)
	check := func() (bool, error) { return createAllowed(e, t, col.CreateRule) }
	// may the caller create tools at all?
	if err := withoutBody(e, func() error {
		ok, err := check()
		if err == nil && !ok {
			err = errForbidden
		}
		return err
	}); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	readToolFields(f)
	for field, v := range f.clean {
		t.Set(field, v)
	}
	ok, err := check()
	if err != nil {
		return err
	}
	if !ok {
		onlyStatus, err := refusedOnlyForStatus(f, check)
		if err != nil {
			return err
		}
		if !onlyStatus {
			return errForbidden
		}
		f.errs.Add(c.ToolStatus, fmt.Sprintf("A creator's new tool starts as %s or %s (submitted for review); only an admin can create it as %s.",
			c.StatusDraft, c.StatusPending, f.clean[c.ToolStatus]))
	}
	if err := f.err(); err != nil {
		return err
	}
	applyOmittedDefaults(t, func(field string) bool { _, ok := f.clean[field]; return ok })
	if err := e.App.Save(t); err != nil {
		return err
	}
	return showTool(e, http.StatusCreated, t)
}

// PUT/PATCH /api/tools/tools/{id}/: the tools update rule decides, in one
// transaction with the write, so that the status move is judged against the
// stored status (a concurrent suspension can't be undone by a stale edit).
func toolUpdate(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	// may the caller edit this tool at all?
	if err := withoutBody(e, func() error {
		t, err := findVisible(e, c.Tools, id)
		if err != nil {
			return err
		}
		ok, err := allowed(e, t, t.Collection().UpdateRule)
		if err == nil && !ok {
			err = errForbidden
		}
		return err
	}); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	readToolFields(f)
	var saved *core.Record
	err = inTransaction(e, func() error {
		t, err := e.App.FindRecordById(c.Tools, id)
		if err != nil {
			return err
		}
		rule := t.Collection().UpdateRule
		check := func() (bool, error) { return allowed(e, t, rule) }
		ok, err := check()
		if err != nil {
			return err
		}
		if !ok {
			onlyStatus, err := refusedOnlyForStatus(f, check)
			if err != nil {
				return err
			}
			if !onlyStatus {
				return errForbidden
			}
			f.errs.Add(c.ToolStatus, statusMoveRefused(c.AsTool(t).Status(), fmt.Sprint(f.clean[c.ToolStatus])))
		}
		if err := f.err(); err != nil {
			return err
		}
		for field, v := range f.clean {
			t.Set(field, v)
		}
		if err := e.App.Save(t); err != nil {
			return err
		}
		saved = t
		return nil
	})
	if err != nil {
		return err
	}
	return showTool(e, http.StatusOK, saved)
}

// statusMoveRefused explains a status move that the update rule refused
// although the caller may edit the tool otherwise.
func statusMoveRefused(from, to string) string {
	return fmt.Sprintf("Cannot move this tool from %s to %s: a creator may only submit a draft for review (%s → %s) "+
		"and pause or resume an approved tool (%s ⇄ %s); approving (%s) and suspending (%s) are for admins.",
		from, to, c.StatusDraft, c.StatusPending, c.StatusActive, c.StatusInactive, c.StatusActive, c.StatusSuspended)
}

// DELETE /api/tools/tools/{id}/: the tools delete rule decides; a tool that
// has usage (or reviews, which need usage) is kept, since usage and ledger
// rows are never removed: set it INACTIVE instead.
func toolDelete(e *core.RequestEvent) error {
	ignoreBody(e)
	id := e.Request.PathValue("id")
	if _, err := findVisible(e, c.Tools, id); err != nil {
		return err
	}
	err := inTransaction(e, func() error {
		t, err := e.App.FindRecordById(c.Tools, id)
		if err != nil {
			return err
		}
		ok, err := allowed(e, t, t.Collection().DeleteRule)
		if err != nil {
			return err
		}
		if !ok {
			return errForbidden
		}
		for _, ref := range []struct{ collection, field, what string }{
			{c.ToolUsage, c.UsageTool, "usage records"},
			{c.ToolFeedback, c.FeedbackTool, "reviews"},
		} {
			n, err := e.App.CountRecords(ref.collection, dbx.HashExp{ref.field: id})
			if err != nil {
				return err
			}
			if n > 0 {
				return errDetail(http.StatusConflict, fmt.Sprintf(
					"This tool has %s, which are never deleted, so it cannot be deleted; set it %s instead.", ref.what, c.StatusInactive))
			}
		}
		return e.App.Delete(t)
	})
	if err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
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

// createAllowed reports whether rule (a create rule) lets the request create
// rec, evaluated the way the records API does: against the new record's
// values, selected as a one-row table, with @request.body as the request's
// (filtered) body.
func createAllowed(e *core.RequestEvent, rec *core.Record, rule *string) (bool, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	if info.HasSuperuserAuth() || (rule != nil && *rule == "") {
		return true, nil
	}
	if rule == nil {
		return false, nil
	}
	dummy := rec.Clone()
	suffix := "__tb_create__" + security.PseudorandomString(6)
	if dummy.Id == "" {
		dummy.Id = "__temp_id" + suffix
	}
	export, err := dummy.DBExport(e.App)
	if err != nil {
		return false, err
	}
	params := make(dbx.Params, len(export))
	selects := make([]string, 0, len(export))
	for k, v := range export {
		k = inflector.Columnify(k)
		params["tb_create_"+k] = v
		selects = append(selects, "{:tb_create_"+k+"} AS [["+k+"]]")
	}
	slices.Sort(selects)
	col := *rec.Collection()
	col.Id += suffix
	col.Name += inflector.Columnify(suffix)
	q := e.App.ConcurrentDB().Select("(1)").
		PreFragment(fmt.Sprintf("WITH {{%s}} AS (SELECT %s)", col.Name, strings.Join(selects, ","))).
		From(col.Name).AndBind(params)
	resolver := core.NewRecordFieldResolver(e.App, &col, info, true)
	expr, err := search.FilterData(*rule).BuildExpr(resolver)
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
