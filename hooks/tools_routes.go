package hooks

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"

	c "toolbase/collections"
)

// The DRF API's tools (spec section 4): list, create, view, edit, delete,
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
	route(only(authed, c.RoleToolCreator, c.RoleAdmin), "/tools/tools/my_tools/", map[string]handler{http.MethodGet: toolMine})
	route(authed, "/tools/tools/{id}/", map[string]handler{
		http.MethodGet:    toolDetail,
		http.MethodPut:    toolUpdate,
		http.MethodPatch:  toolUpdate,
		http.MethodDelete: toolDelete,
	})
}

// toolBody is a tool's writable fields (PUT, PATCH and POST). Read-only
// fields (id, creator, counters, timestamps) and unknown ones are ignored.
var toolBody = &bodySpec{name: "ToolWrite",
	desc: "A tool's writable fields. PUT and POST require `name`; PATCH takes any subset and leaves the rest. " +
		"`creator` (always the caller on create), the counters and the timestamps are read-only.",
	fields: []bodyField{
		textF(c.ToolName, maxToolNameChars).req(),
		textF(c.ToolDescription, maxToolDescriptionChars).dflt(""),
		choiceF(c.ToolCategory, c.Categories).dflt(c.CategoryOther),
		choiceF(c.ToolStatus, c.Statuses).dflt(c.StatusDraft).about("On create (the DRF API's create serializer has no status: " +
			"toolbase's extension), a creator may send DRAFT or PENDING, and any other status it sends is ignored (the tool starts as DRAFT); " +
			"admins any (past review: audited as `tool.status`). On edit, a creator moves its own tool DRAFT → PENDING and ACTIVE ⇄ INACTIVE; " +
			"only admins approve (ACTIVE) or suspend (SUSPENDED)."),
		integerF(c.ToolPointsCost, 0, c.MaxPointsCost).dflt(c.DefaultPointsCost).about("An explicit 0 is kept."),
		linkF(c.ToolAPIEndpoint).about("An http(s) URL, or `\"\"`. toolbase calls it on each use; it must use https unless " +
			"`TOOLBASE_ALLOW_HTTP_ENDPOINTS` is set. `https://builtin.invalid/<name>` makes it a built-in tool (set by admins only; " +
			"docs/api.md, Built-in tools)."),
		linkF(c.ToolAPIDocumentation).about("An http(s) URL, or `\"\"`."),
		stringListF(c.ToolTags, maxListItems, maxItemChars).dflt([]string{}),
		textF(c.ToolVersion, maxToolVersionChars).nonBlank().dflt(c.DefaultVersion).about("Not blank."),
		textF(c.ToolModerationNote, c.MaxModerationNoteChars).about("Admins only, together with a status move (toolbase's extension): " +
			"the reason for sending the tool back to DRAFT or suspending it, which its creator sees. A changed note without a status move " +
			"is refused; anyone else's is ignored. A move to ACTIVE or PENDING clears it."),
	}}

// refusedStatus runs check (the rule for the request): nil when it allows
// the request, errForbidden when it refuses more than the status move, and
// statusRefused when the status move alone is what it refuses.
func refusedStatus(f *form, check func() (bool, error)) (statusRefused bool, err error) {
	ok, err := check()
	if err != nil || ok {
		return false, err
	}
	onlyStatus, err := refusedOnlyForStatus(f, check)
	if err != nil {
		return false, err
	}
	if !onlyStatus {
		return false, errForbidden
	}
	return true, nil
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

// matchQ is the DRF API's search/?q=: name or description contains q, or q is
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

// toolsListing lists the tools the caller may see (the list rule) in the
// request's ?ordering=, in the list or (detail) the detail representation.
func toolsListing(e *core.RequestEvent, detail bool) listing {
	return listing{collection: c.Tools, order: toolOrder(e), show: toolViews(detail, e.Auth)}
}

// GET /api/tools/tools/
func toolList(e *core.RequestEvent) error {
	conds, err := toolFilters(e)
	if err != nil {
		return err
	}
	return toolsListing(e, false).list(e, conds...)
}

// GET /api/tools/tools/search/?q=&category=
func toolSearch(e *core.RequestEvent) error {
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
	return toolsListing(e, true).bare(e, conds...)
}

// GET /api/tools/tools/my_tools/ (creators and admins): own tools, any status.
func toolMine(e *core.RequestEvent) error {
	conds, err := toolFilters(e)
	if err != nil {
		return err
	}
	return toolsListing(e, true).bare(e, append(conds, dbx.HashExp{c.Tools + "." + c.ToolCreator: e.Auth.Id})...)
}

// GET /api/tools/tools/{id}/
func toolDetail(e *core.RequestEvent) error {
	t, err := findVisible(e, c.Tools, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return showTool(e, http.StatusOK, t)
}

// POST /api/tools/tools/: the tools create rule decides who may create what;
// the caller is the creator. A status the rule does not let the caller choose
// is ignored (the DRF API's create serializer has no status at all): the tool
// starts as DRAFT. toolbase reads status on create only for its extensions:
// a creator's PENDING (submit at once) and an admin's any status (audited).
func toolCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.Tools)
	if err != nil {
		return err
	}
	t := core.NewRecord(col)
	t.Set(c.ToolCreator, e.Auth.Id)
	check := func() (bool, error) { return canCreate(e, t) }
	// may the caller create tools at all? (nothing of the body is read yet)
	if ok, err := check(); err != nil || !ok {
		return firstErr(err, errForbidden)
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	toolBody.read(f)
	f.setOn(t)
	statusRefused, err := refusedStatus(f, check)
	if err != nil {
		return err
	}
	if statusRefused {
		// the DRF API's create serializer has no status: one the caller may not
		// choose (a creator's ACTIVE, INACTIVE, SUSPENDED) is ignored, and the
		// tool starts as DRAFT
		delete(f.clean, c.ToolStatus)
		t.Set(c.ToolStatus, c.StatusDraft)
	}
	if err := f.err(); err != nil {
		return err
	}
	applyOmittedDefaults(t, func(field string) bool { _, ok := f.clean[field]; return ok })
	if err := saveAs(e.App, e.Auth, t); err != nil {
		return err
	}
	return showTool(e, http.StatusCreated, t)
}

// PUT/PATCH /api/tools/tools/{id}/: the tools update rule decides, in one
// transaction with the write, so that the status move is judged against the
// stored status (a concurrent suspension can't be undone by a stale edit).
func toolUpdate(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	// may the caller edit this tool at all? (nothing of the body is read yet)
	if _, err := findToEdit(e, c.Tools, id, errForbidden); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	toolBody.read(f)
	var saved *core.Record
	err = inTransaction(e, func() error {
		t, err := e.App.FindRecordById(c.Tools, id)
		if err != nil {
			return err
		}
		rule := t.Collection().UpdateRule
		check := func() (bool, error) { return allowed(e, t, rule) }
		statusRefused, err := refusedStatus(f, check)
		if err != nil {
			return err
		}
		if statusRefused {
			f.errs.Add(c.ToolStatus, statusMoveRefused(c.AsTool(t).Status(), fmt.Sprint(f.clean[c.ToolStatus])))
		}
		if err := f.err(); err != nil {
			return err
		}
		f.setOn(t)
		if err := saveAs(e.App, e.Auth, t); err != nil {
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
