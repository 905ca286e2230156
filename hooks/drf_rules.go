package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"
)

// ruleQuery returns a query of the records of col that rule lets the request
// reach, built by PocketBase's own rule resolver: the DRF API's single
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

// findToEdit finds the record of collection with id that the caller may see
// (404 otherwise) and may update (refused otherwise), before any body is read.
func findToEdit(e *core.RequestEvent, collection, id string, refused error) (*core.Record, error) {
	rec, err := findVisible(e, collection, id)
	if err != nil {
		return nil, err
	}
	if err := mayAct(e, rec, rec.Collection().UpdateRule, refused); err != nil {
		return nil, err
	}
	return rec, nil
}
