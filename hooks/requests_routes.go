package hooks

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// Payouts and refunds are requests that an admin decides on. They share
// their routes (list and create, detail, one route a decision) and the
// decision itself: one transaction that claims the request's status (of
// concurrent decisions exactly one goes on), moves the money, and saves and
// audits the request.

// decision is an admin's move of a request (a payout, a refund) out of one
// of from to to.
type decision struct {
	collection string
	noun       string // "payout": the refusal's and the audit action's
	action     string // the route's name, and the audit action after noun
	verb       string // "approved", for the refusal
	from       []string
	to         string
	body       *bodySpec // the admin's fields
	audited    []string  // the fields the audit row shows before and after
	// move moves the money once the status is claimed (nil: none)
	move func(tx core.App, admin, r *core.Record) error
}

// bindRequestRoutes binds the routes of a collection of requests: at base
// the list (l, with its choice filters) and the create, at base{id}/ the
// detail, and at base{id}/<action>/ each admin's decision.
func bindRequestRoutes(authed group, base string, l listing, filters map[string][]string, create handler, decisions ...decision) {
	route(authed, base, map[string]handler{http.MethodGet: l.listRoute(filters), http.MethodPost: create})
	route(authed, base+"{id}/", map[string]handler{http.MethodGet: l.detail})
	admin := only(authed, c.RoleAdmin)
	for _, d := range decisions {
		route(admin, base+"{id}/"+d.action+"/", map[string]handler{http.MethodPost: d.route(l.show)})
	}
}

// route is POST <base>{id}/<action>/ (admin): the body is read by the
// decision's spec, and its fields are set on the request in the decision's
// transaction; the answer is the request, shown by show.
func (d decision) route(show shower) handler {
	return func(e *core.RequestEvent) error {
		id := e.Request.PathValue("id")
		if _, err := findVisible(e, d.collection, id); err != nil {
			return err
		}
		f, err := readForm(e, maxBodyBytes)
		if err != nil {
			return err
		}
		d.body.read(f)
		saved, err := d.decideAs(e.App, e.Auth, id, func(r *core.Record) error {
			f.setOn(r)
			return f.err()
		})
		if err != nil {
			return err
		}
		return answerOne(e, http.StatusOK, show, saved)
	}
}

// decideAs makes the decision on request id for admin, in one transaction:
// set applies the admin's fields, the status is claimed with a conditional
// UPDATE, the money moves, and the request is saved and audited. A refusal
// is a DRF error.
func (d decision) decideAs(app core.App, admin *core.Record, id string, set func(r *core.Record) error) (*core.Record, error) {
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		r, err := tx.FindRecordById(d.collection, id)
		if err != nil {
			return err
		}
		if err := set(r); err != nil {
			return err
		}
		before := fieldsOf(r.Original(), d.audited...)
		claimed, err := ledger.ClaimStatus(tx, d.collection, id, d.from, d.to)
		if err != nil {
			return err
		}
		if !claimed {
			return errDetail(http.StatusConflict, fmt.Sprintf("This %s is %s; it can be %s only when %s.",
				d.noun, r.Original().GetString(c.PayoutStatus), d.verb, strings.Join(d.from, " or ")))
		}
		if d.move != nil {
			if err := d.move(tx, admin, r); err != nil {
				return err
			}
		}
		// payouts and refunds name their state fields alike
		r.Set(c.PayoutStatus, d.to)
		r.Set(c.PayoutProcessedBy, admin.Id)
		r.Set(c.PayoutProcessedAt, types.NowDateTime())
		if err := ledger.SaveSystem(tx, r); err != nil {
			return err
		}
		if err := audit(tx, admin, d.noun+"."+d.action, targetOf(r), before, fieldsOf(r, d.audited...)); err != nil {
			return err
		}
		saved = r
		return nil
	})
	return saved, err
}
