package ledger

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// ledgerCheck is one invariant of spec section 2, stated as a query that
// returns a readable line for every row that breaks it.
type ledgerCheck struct {
	name  string
	query string
}

var ledgerChecks = []ledgerCheck{
	{"balances match the ledger", `
SELECT 'user ' || u.email || ' (' || u.id || '): ' ||
	CASE WHEN u.points_balance != COALESCE(p.total, 0)
		THEN 'points_balance is ' || u.points_balance || ' but its points ledger sums to ' || COALESCE(p.total, 0)
		ELSE 'total_revenue - total_payouts is ' || (u.total_revenue - u.total_payouts) || ' but its revenue ledger sums to ' || COALESCE(r.total, 0)
	END
FROM users u
LEFT JOIN (SELECT user, SUM(amount) AS total FROM point_transactions WHERE account = 'points' GROUP BY user) p ON p.user = u.id
LEFT JOIN (SELECT user, SUM(amount) AS total FROM point_transactions WHERE account = 'revenue' GROUP BY user) r ON r.user = u.id
WHERE u.points_balance != COALESCE(p.total, 0) OR u.total_revenue - u.total_payouts != COALESCE(r.total, 0)`},

	{"no balance is negative", `
SELECT 'user ' || email || ' (' || id || '): negative balance (points_balance ' || points_balance ||
	', total_revenue ' || total_revenue || ', total_payouts ' || total_payouts || ')'
FROM users
WHERE points_balance < 0 OR total_payouts < 0 OR total_revenue < total_payouts`},

	// rowid follows commit order (rows are only appended), so a row changed,
	// removed or slipped in behind the ledger's back breaks the running sum
	{"each row's balance_after is the running sum", `
SELECT 'ledger row ' || id || ' (' || kind || ' ' || amount || ' on ' || account || ' of user ' || user ||
	'): balance_after is ' || balance_after || ' but the running sum is ' || running
FROM (SELECT id, kind, amount, account, user, balance_after,
	SUM(amount) OVER (PARTITION BY user, account ORDER BY rowid) AS running FROM point_transactions)
WHERE balance_after != running`},

	// A usage imported from the Django platform (legacy_id set) is history:
	// its payer was charged there (the charge is in its opening balance) and
	// its creator never credited, so it has no USAGE or EARNING row at all.
	{"every paid usage has one debit and at most one earning, copied on the usage", `
SELECT 'usage ' || g.id || ' (points_spent ' || g.points_spent || '): ' ||
	COALESCE(t.debits, 0) || ' USAGE row(s) summing to ' || COALESCE(t.debit, 0) || ', ' ||
	COALESCE(t.earnings, 0) || ' EARNING row(s) summing to ' || COALESCE(t.earning, 0) ||
	', creator_earning ' || g.creator_earning
FROM tool_usage g
JOIN tools tl ON tl.id = g.tool
LEFT JOIN (` + usageLedger + `) t ON t.usage = g.id
WHERE (g.points_spent > 0 AND g.legacy_id = 0 AND (COALESCE(t.debits, 0) != 1 OR t.debit != -g.points_spent OR t.payer != g.user
		OR COALESCE(t.earnings, 0) > 1 OR COALESCE(t.earning, 0) < 0 OR COALESCE(t.earning, 0) > g.points_spent
		OR (t.earnings = 1 AND t.earner != tl.creator)))
	OR g.creator_earning != COALESCE(t.earning, 0)
	OR ((g.points_spent = 0 OR g.legacy_id != 0) AND (COALESCE(t.debits, 0) != 0 OR COALESCE(t.earnings, 0) != 0))`},

	// an account's opening balance (toolbase import django) is its first row,
	// one per account, a credit, of an imported user
	{"opening balances belong to imported accounts, once, first", `
SELECT 'ledger row ' || l.id || ' (OPENING ' || l.amount || ' on ' || l.account || ' of user ' || l.user || '): ' ||
	CASE WHEN COALESCE(u.legacy_id, 0) = 0 THEN 'the user was not imported'
		WHEN l.amount <= 0 THEN 'not a credit'
		ELSE 'not the first row of its account' END
FROM point_transactions l
LEFT JOIN users u ON u.id = l.user
WHERE l.kind = 'OPENING' AND (COALESCE(u.legacy_id, 0) = 0 OR l.amount <= 0 OR EXISTS (SELECT 1 FROM point_transactions p
	WHERE p.user = l.user AND p.account = l.account AND p.rowid < l.rowid))`},

	// A usage is refunded when its remote call failed (state FAILED, refunded
	// automatically) or when a refund was approved (refunded_at set), never
	// both. A refunded usage gives its payer everything back (one REFUND credit
	// of points_spent) and takes back from its earner at most what it earned
	// (at most one REFUND reversal; the platform absorbs the rest). A usage
	// not refunded has no REFUND row.
	{"refunded usages are refunded exactly once, others never", `
SELECT 'usage ' || g.id || ' (' || g.state || CASE WHEN g.refunded_at != '' THEN ', refunded_at ' || g.refunded_at ELSE '' END ||
	', points_spent ' || g.points_spent || '): ' ||
	CASE WHEN g.state = 'FAILED' AND g.refunded_at != '' THEN 'refunded both as failed and by a refund; ' ELSE '' END ||
	COALESCE(t.refunds, 0) || ' REFUND credit(s) summing to ' || COALESCE(t.refunded, 0) || ', ' ||
	COALESCE(t.reversals, 0) || ' REFUND reversal(s) summing to ' || COALESCE(t.reversed, 0) ||
	' of an earning of ' || COALESCE(t.earning, 0)
FROM tool_usage g
LEFT JOIN (` + usageLedger + `) t ON t.usage = g.id
WHERE (g.state = 'FAILED' AND g.refunded_at != '')
	OR ((g.state = 'FAILED' OR g.refunded_at != '') AND g.points_spent > 0 AND (COALESCE(t.refunds, 0) != 1
		OR t.refunded != g.points_spent OR t.refund_to != g.user OR COALESCE(t.reversals, 0) > 1
		OR (t.reversals = 1 AND (t.reversed_from != t.earner OR t.reversed >= 0 OR -t.reversed > COALESCE(t.earning, 0)))))
	OR (((g.state != 'FAILED' AND g.refunded_at = '') OR g.points_spent = 0)
		AND (COALESCE(t.refunds, 0) != 0 OR COALESCE(t.reversals, 0) != 0))`},

	{"usage rows in the ledger belong to a usage", `
SELECT 'ledger row ' || id || ' (' || kind || ' of user ' || user || ') has no usage'
FROM point_transactions WHERE kind IN ('USAGE', 'EARNING', 'REFUND') AND usage = ''`},

	// a refunded use (failed, or by an approved refund) is taken off its tool's counters
	{"tool counters match their usage, refunded usage left out", `
SELECT 'tool ' || t.name || ' (' || t.id || '): total_uses ' || t.total_uses || ', total_revenue ' || t.total_revenue ||
	' but its usage not refunded counts ' || COALESCE(g.uses, 0) || ' uses for ' || COALESCE(g.spent, 0) || ' points'
FROM tools t
LEFT JOIN (SELECT tool, COUNT(*) AS uses, SUM(points_spent) AS spent FROM tool_usage
	WHERE state != 'FAILED' AND refunded_at = '' GROUP BY tool) g ON g.tool = t.id
WHERE t.total_uses != COALESCE(g.uses, 0) OR t.total_revenue != COALESCE(g.spent, 0)`},

	// an approved refund is its usage's refund: the usage is refunded, and the
	// refund records what the ledger moved
	{"approved refunds match the ledger", `
SELECT 'refund ' || r.id || ' of usage ' || r.usage || ' (APPROVED, amount ' || r.amount || ', creator_reversal ' ||
	r.creator_reversal || ', platform_absorbed ' || r.platform_absorbed || '): ' ||
	CASE WHEN g.id IS NULL THEN 'its usage does not exist'
		WHEN g.refunded_at = '' THEN 'its usage is not refunded'
		WHEN g.user != r.requester THEN 'its requester did not pay for the usage'
		ELSE 'the ledger credited ' || COALESCE(t.refunded, 0) || ', reversed ' || COALESCE(-t.reversed, 0) ||
			' of an earning of ' || COALESCE(t.earning, 0) END
FROM refunds r
LEFT JOIN tool_usage g ON g.id = r.usage
LEFT JOIN (` + usageLedger + `) t ON t.usage = r.usage
WHERE r.status = 'APPROVED' AND (g.id IS NULL OR g.refunded_at = '' OR g.user != r.requester
	OR r.amount != COALESCE(t.refunded, 0) OR r.creator_reversal != COALESCE(-t.reversed, 0)
	OR r.creator_reversal + r.platform_absorbed != COALESCE(t.earning, 0))`},

	// total_payouts moves only with PAYOUT rows (the balance check), and each
	// PAYOUT row is one PAID payout: its note starts with "payout <id>"
	{"paid payouts match the ledger", `
SELECT 'payout ' || p.id || ' (' || p.status || ', ' || p.amount || ' to user ' || p.creator || '): ' ||
	COALESCE(x.rows, 0) || ' PAYOUT ledger row(s) summing to ' || COALESCE(x.total, 0)
FROM payouts p
LEFT JOIN (SELECT substr(note, 8, 15) AS payout, COUNT(*) AS rows, SUM(amount) AS total, MAX(user) AS user
	FROM point_transactions WHERE kind = 'PAYOUT' GROUP BY substr(note, 8, 15)) x ON x.payout = p.id
WHERE (p.status = 'PAID' AND (COALESCE(x.rows, 0) != 1 OR x.total != -p.amount OR x.user != p.creator))
	OR (p.status != 'PAID' AND COALESCE(x.rows, 0) != 0)
UNION ALL
SELECT 'ledger row ' || l.id || ' (PAYOUT ' || l.amount || ' of user ' || l.user || ') belongs to no PAID payout of that user (note: ' || l.note || ')'
FROM point_transactions l
WHERE l.kind = 'PAYOUT' AND (l.account != 'revenue' OR NOT EXISTS (SELECT 1 FROM payouts p
	WHERE p.status = 'PAID' AND p.creator = l.user AND l.note LIKE 'payout ' || p.id || '%'))`},
}

// usageLedger sums each usage's ledger rows by kind.
const usageLedger = `SELECT usage,
		SUM(kind = 'USAGE' AND account = 'points') AS debits,
		SUM(CASE WHEN kind = 'USAGE' THEN amount END) AS debit,
		MAX(CASE WHEN kind = 'USAGE' THEN user END) AS payer,
		SUM(kind = 'EARNING' AND account = 'revenue') AS earnings,
		SUM(CASE WHEN kind = 'EARNING' THEN amount END) AS earning,
		MAX(CASE WHEN kind = 'EARNING' THEN user END) AS earner,
		SUM(kind = 'REFUND' AND account = 'points') AS refunds,
		SUM(CASE WHEN kind = 'REFUND' AND account = 'points' THEN amount END) AS refunded,
		MAX(CASE WHEN kind = 'REFUND' AND account = 'points' THEN user END) AS refund_to,
		SUM(kind = 'REFUND' AND account = 'revenue') AS reversals,
		SUM(CASE WHEN kind = 'REFUND' AND account = 'revenue' THEN amount END) AS reversed,
		MAX(CASE WHEN kind = 'REFUND' AND account = 'revenue' THEN user END) AS reversed_from
	FROM point_transactions WHERE usage != '' GROUP BY usage`

// Verify checks the invariants of the package doc (spec section 2) over the
// whole database and returns one line per broken row (none when all hold).
func Verify(app core.App) ([]string, error) {
	var problems []string
	for _, check := range ledgerChecks {
		var lines []string
		if err := app.DB().NewQuery(check.query).Column(&lines); err != nil {
			return nil, fmt.Errorf("ledger check %q: %w", check.name, err)
		}
		problems = append(problems, lines...)
	}
	return problems, nil
}

// Stats counts what a verification covered, for its summary line.
func Stats(app core.App) (users, rows, usage int, err error) {
	err = app.DB().NewQuery(`SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM point_transactions),
		(SELECT COUNT(*) FROM tool_usage)`).Row(&users, &rows, &usage)
	if err != nil {
		err = fmt.Errorf("ledger: counting what was verified: %w", err)
	}
	return
}
