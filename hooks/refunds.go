package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Refunds: the user who paid for a usage asks for its points back, once, within
// the refund window; an admin approves or rejects. Approval is one
// transaction: the refund's status is claimed, the usage is claimed
// (refunded_at set only where it was empty), the payer is credited (REFUND on
// points), the creator's earning is reversed as far as its pending revenue
// allows (REFUND on revenue; the platform absorbs what was already paid out),
// and the tool's counters drop the usage.

var (
	// ErrAlreadyRefunded refuses to refund a usage a second time (an approved
	// refund, or a failed remote call, which refunds itself).
	ErrAlreadyRefunded = errors.New("usage already refunded")
	// ErrUsagePending refuses to refund a usage whose remote call is still
	// running: it settles itself, refunded if it fails.
	ErrUsagePending = errors.New("usage still pending")
)

// UsageRefund is what refunding a usage moved.
type UsageRefund struct {
	Credited int64 // points given back to the payer
	Earning  int64 // the creator's earning from the usage
	Reversed int64 // taken back from the creator's pending revenue
	Absorbed int64 // the part of the earning already paid out, borne by the platform
}

// RefundUsage refunds a settled usage exactly once, in one transaction
// (joining the caller's). It claims the usage by setting refunded_at where it
// is empty and the usage is neither FAILED (refunded when its remote call
// failed: ErrAlreadyRefunded) nor PENDING (ErrUsagePending); posts a REFUND
// credit of what the usage debited to its payer and a REFUND reversal of the
// creator's earning that never takes the creator's pending revenue below zero
// (the platform absorbs the rest, and the notes say so); and takes the usage
// out of its tool's counters. actor (a user id, may be empty) and note (e.g.
// "refund <id>") go into the ledger rows. A free usage is marked refunded and
// taken off the counters, with no ledger rows. (A remote call that fails is
// refunded by settle, through the same reverseUsage; a usage is claimed by one
// or the other.)
func RefundUsage(app core.App, usageID, actor, note string) (*UsageRefund, error) {
	var out *UsageRefund
	err := app.RunInTransaction(func(tx core.App) error {
		usage, err := tx.FindRecordById(c.ToolUsage, usageID)
		if err != nil {
			return err
		}
		now := types.NowDateTime()
		// the claim: of concurrent refunds (and a remote call settling), one goes on
		res, err := tx.DB().NewQuery("UPDATE {{" + c.ToolUsage + "}} SET [[" + c.UsageRefundedAt + "]] = {:now}" +
			" WHERE [[id]] = {:id} AND [[" + c.UsageRefundedAt + "]] = ''" +
			" AND [[" + c.UsageState + "]] NOT IN ({:pending}, {:failed})").
			Bind(dbx.Params{"now": now.String(), "id": usageID, "pending": c.StatePending, "failed": c.StateFailed}).Execute()
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = ErrAlreadyRefunded
				if c.AsUsage(usage).State() == c.StatePending && usage.GetDateTime(c.UsageRefundedAt).IsZero() {
					err = ErrUsagePending
				}
			}
			return err
		}

		r, err := reverseUsage(tx, usage, actor, note)
		if err != nil {
			return err
		}
		// saved through the model as well, for realtime and updated_at
		usage.Set(c.UsageRefundedAt, now)
		if err := tx.SaveNoValidateWithContext(systemContext, usage); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// usageChargeSQL reads what a usage moved: its payer and debit, its earner and
// earning.
const usageChargeSQL = `SELECT
	COALESCE(MAX(CASE WHEN kind = 'USAGE' THEN user END), ''),
	COALESCE(-SUM(CASE WHEN kind = 'USAGE' THEN amount END), 0),
	COALESCE(MAX(CASE WHEN kind = 'EARNING' THEN user END), ''),
	COALESCE(SUM(CASE WHEN kind = 'EARNING' THEN amount END), 0)
	FROM point_transactions WHERE usage = {:id}`

// reverseUsage undoes what a claimed usage moved, in tx: a REFUND credit to its
// payer of what it debited, a REFUND reversal of the creator's earning that
// never takes the creator's pending revenue below zero (the platform absorbs
// the rest, and the notes say so), and the usage taken off its tool's counters.
func reverseUsage(tx core.App, usage *core.Record, actor, note string) (*UsageRefund, error) {
	var payer, earner string
	var debited, earning int64
	err := tx.DB().NewQuery(usageChargeSQL).Bind(dbx.Params{"id": usage.Id}).Row(&payer, &debited, &earner, &earning)
	if err != nil {
		return nil, err
	}
	r := &UsageRefund{Credited: debited, Earning: earning}
	if earning > 0 {
		var pending int64
		if err := tx.DB().NewQuery("SELECT [[total_revenue]] - [[total_payouts]] FROM {{users}} WHERE [[id]] = {:id}").
			Bind(dbx.Params{"id": earner}).Row(&pending); err != nil {
			return nil, err
		}
		r.Reversed = min(earning, max(pending, 0))
		r.Absorbed = earning - r.Reversed
	}

	subject := note + " of usage " + usage.Id
	absorbed := ""
	if r.Absorbed > 0 {
		absorbed = fmt.Sprintf("; the platform absorbs %d of the creator's earning of %d, already paid out", r.Absorbed, earning)
	}
	var entries []Entry
	if r.Credited > 0 {
		entries = append(entries, Entry{User: payer, Account: c.AccountPoints, Kind: c.KindRefund, Amount: r.Credited,
			Usage: usage.Id, Actor: actor, Note: truncateRunes(subject+absorbed, c.MaxNoteChars)})
	}
	if r.Reversed > 0 {
		entries = append(entries, Entry{User: earner, Account: c.AccountRevenue, Kind: c.KindRefund, Amount: -r.Reversed,
			Usage: usage.Id, Actor: actor, Note: truncateRunes(fmt.Sprintf("%s: reverses %d of the earning of %d%s",
				subject, r.Reversed, earning, absorbed), c.MaxNoteChars)})
	}
	if len(entries) > 0 {
		if _, err := Post(tx, entries...); err != nil {
			return nil, err
		}
	}
	u := c.AsUsage(usage)
	if err := moveToolCounters(tx, u.Tool(), -1, -u.PointsSpent()); err != nil {
		return nil, err
	}
	return r, nil
}

func bindRefunds(app core.App) {
	app.OnRecordCreateRequest(c.Refunds).BindFunc(defaultToCaller(c.RefundRequester))
	app.OnRecordCreate(c.Refunds).BindFunc(func(e *core.RecordEvent) error {
		return checkedNext(e, checkRefundRequest)
	})
}

// errUsageField is a 400 on the usage field.
func errUsageField(code, msg string) error {
	return validation.Errors{c.RefundUsage: validation.NewError(code, msg)}
}

// checkRefundRequest validates a new refund request and makes it REQUESTED
// with the usage's cost as its amount.
func checkRefundRequest(tx core.App, r *core.Record) error {
	x := c.AsRefund(r)
	usage, err := tx.FindRecordById(c.ToolUsage, x.Usage())
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.AsUsage(usage).User() != x.Requester()) {
		// someone else's usage is as good as none
		return errUsageField("toolbase_no_usage", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, x.Usage()))
	}
	if err != nil {
		return err
	}
	u := c.AsUsage(usage)
	window := configOf(tx).RefundWindowDays
	switch {
	case u.PointsSpent() == 0:
		return errUsageField("toolbase_free_usage", "This usage cost nothing; there is nothing to refund.")
	case !usage.GetDateTime(c.UsageRefundedAt).IsZero() || u.State() == c.StateFailed:
		return errUsageField("toolbase_already_refunded", "This usage was already refunded.")
	case u.State() == c.StatePending:
		return errUsageField("toolbase_usage_pending", "This usage is still running; a failed call is refunded by itself.")
	case usage.GetDateTime(c.FieldCreatedAt).Time().Add(time.Duration(window) * 24 * time.Hour).Before(time.Now()):
		return errUsageField("toolbase_refund_window", fmt.Sprintf("The refund window of %d days for this usage has passed.", window))
	}
	n, err := tx.CountRecords(c.Refunds, dbx.HashExp{c.RefundUsage: u.Id})
	if err != nil {
		return err
	}
	if n > 0 {
		return errUsageField("toolbase_refund_exists", "A refund was already requested for this usage.")
	}
	r.Set(c.RefundStatus, c.RefundRequested)
	r.Set(c.RefundAmount, u.PointsSpent())
	return nil
}

func bindRefundRoutes(authed group) {
	admin := only(authed, c.RoleAdmin)
	route(authed, "/refunds/", map[string]handler{http.MethodGet: refundList, http.MethodPost: refundCreate})
	route(authed, "/refunds/{id}/", map[string]handler{http.MethodGet: refundDetail})
	route(admin, "/refunds/{id}/approve/", map[string]handler{http.MethodPost: refundApprove})
	route(admin, "/refunds/{id}/reject/", map[string]handler{http.MethodPost: refundReject})
}

// refundView is a refund as the seed API shows it.
type refundView struct {
	ID               string `json:"id"`
	Usage            string `json:"usage"`
	Requester        string `json:"requester"`
	RequesterEmail   string `json:"requester_email"`
	Reason           string `json:"reason"`
	Status           string `json:"status"`
	Amount           int64  `json:"amount"`
	CreatorReversal  int64  `json:"creator_reversal"`
	PlatformAbsorbed int64  `json:"platform_absorbed"`
	Note             string `json:"note"`
	ProcessedBy      any    `json:"processed_by"`
	ProcessedAt      any    `json:"processed_at"`
	CreatedAt        any    `json:"created_at"`
	UpdatedAt        any    `json:"updated_at"`
}

// refundViews shows refunds, their requesters loaded in one query.
func refundViews(app core.App, records []*core.Record) ([]any, error) {
	users, err := usersOf(app, records, c.RefundRequester)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(records))
	for i, r := range records {
		x := c.AsRefund(r)
		out[i] = refundView{
			ID:               r.Id,
			Usage:            x.Usage(),
			Requester:        x.Requester(),
			RequesterEmail:   emailOf(users[x.Requester()]),
			Reason:           x.Reason(),
			Status:           x.Status(),
			Amount:           x.Amount(),
			CreatorReversal:  x.CreatorReversal(),
			PlatformAbsorbed: x.PlatformAbsorbed(),
			Note:             x.Note(),
			ProcessedBy:      nullIfEmpty(x.ProcessedBy()),
			ProcessedAt:      rfc3339(x.ProcessedAt()),
			CreatedAt:        rfc3339(r.GetDateTime(c.FieldCreatedAt)),
			UpdatedAt:        rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
		}
	}
	return out, nil
}

// refundList is GET /api/refunds/: own requests (admins: all), newest first;
// ?status=, ?usage=.
func refundList(e *core.RequestEvent) error {
	conds, err := choiceFilters(e, c.Refunds, map[string][]string{c.RefundStatus: c.RefundStatuses, c.RefundUsage: nil})
	if err != nil {
		return err
	}
	build := func() (*dbx.SelectQuery, error) {
		q, err := listQuery(e, c.Refunds)
		if err != nil {
			return nil, err
		}
		for _, cond := range conds {
			q.AndWhere(cond)
		}
		return q, nil
	}
	return paginate(e, build, newestFirst(c.Refunds), refundViews)
}

// refundDetail is GET /api/refunds/{id}/.
func refundDetail(e *core.RequestEvent) error {
	r, err := findVisible(e, c.Refunds, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return answerOne(e, http.StatusOK, refundViews, r)
}

// refundCreate is POST /api/refunds/ {usage, reason}: the payer asks for a
// usage's points back; 201 with the REQUESTED refund.
func refundCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.Refunds)
	if err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set(c.RefundRequester, e.Auth.Id)
	usage, _ := f.text(c.RefundUsage, 50, true)
	reason, _ := f.text(c.RefundReason, c.MaxReasonChars, true)
	if err := f.err(); err != nil {
		return err
	}
	r.Set(c.RefundUsage, usage)
	r.Set(c.RefundReason, reason)
	// the create rule admits only the usage's payer
	ok, err := canCreate(e, r)
	if err != nil {
		return err
	}
	if !ok {
		return FieldErrors{c.RefundUsage: {fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, usage)}}.Err()
	}
	if err := saveAs(e.App, e.Auth, r); err != nil {
		return err
	}
	return answerOne(e, http.StatusCreated, refundViews, r)
}

var refundStateFields = []string{c.RefundStatus, c.RefundAmount, c.RefundCreatorReversal, c.RefundPlatformAbsorbed, c.RefundNote, c.RefundProcessedBy}

// refundApprove is POST /api/refunds/{id}/approve/ {note?} (admin).
func refundApprove(e *core.RequestEvent) error {
	return decideRefund(e, "approve", c.RefundApproved, false)
}

// refundReject is POST /api/refunds/{id}/reject/ {note} (admin).
func refundReject(e *core.RequestEvent) error {
	return decideRefund(e, "reject", c.RefundRejected, true)
}

// decideRefund is an admin route's decision on a refund.
func decideRefund(e *core.RequestEvent, action, status string, noteRequired bool) error {
	id := e.Request.PathValue("id")
	if _, err := findVisible(e, c.Refunds, id); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	note, hasNote := f.text(c.RefundNote, c.MaxNoteChars, noteRequired)
	if err := f.err(); err != nil {
		return err
	}
	var notePtr *string
	if hasNote {
		notePtr = &note
	}
	saved, err := decideRefundAs(e.App, e.Auth, id, action, status, notePtr)
	if err != nil {
		return err
	}
	return answerOne(e, http.StatusOK, refundViews, saved)
}

// decideRefundAs moves REQUESTED refund id to status for admin, in one
// transaction: the status is claimed with a conditional UPDATE (of concurrent
// decisions exactly one goes on), an approval refunds the usage (RefundUsage),
// and the refund is saved with the admin's note (nil: none) and audited. A
// refusal is a DRF error.
func decideRefundAs(app core.App, admin *core.Record, id, action, status string, note *string) (*core.Record, error) {
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		r, err := tx.FindRecordById(c.Refunds, id)
		if err != nil {
			return err
		}
		before := fieldsOf(r, refundStateFields...)
		claimed, err := claimStatus(tx, c.Refunds, id, []string{c.RefundRequested}, status)
		if err != nil {
			return err
		}
		if !claimed {
			return errDetail(http.StatusConflict, fmt.Sprintf("This refund is %s; it can be %s only when %s.",
				c.AsRefund(r).Status(), strings.ToLower(status), c.RefundRequested))
		}
		if status == c.RefundApproved {
			moved, err := RefundUsage(tx, c.AsRefund(r).Usage(), admin.Id, "refund "+id)
			switch {
			case errors.Is(err, ErrAlreadyRefunded):
				return errDetail(http.StatusConflict, "This usage was already refunded; reject the request.")
			case errors.Is(err, ErrUsagePending):
				return errDetail(http.StatusConflict, "This usage is still running; decide once it is settled.")
			case errors.Is(err, ErrInsufficient):
				return errDetail(http.StatusConflict, "The payer's balance would exceed its limit.")
			case err != nil:
				return err
			}
			r.Set(c.RefundAmount, moved.Credited)
			r.Set(c.RefundCreatorReversal, moved.Reversed)
			r.Set(c.RefundPlatformAbsorbed, moved.Absorbed)
		}
		r.Set(c.RefundStatus, status)
		if note != nil {
			r.Set(c.RefundNote, *note)
		}
		r.Set(c.RefundProcessedBy, admin.Id)
		r.Set(c.RefundProcessedAt, types.NowDateTime())
		if err := saveSystem(tx, r); err != nil {
			return err
		}
		if err := audit(tx, admin, "refund."+action, targetOf(r), before, fieldsOf(r, refundStateFields...)); err != nil {
			return err
		}
		saved = r
		return nil
	})
	return saved, err
}
