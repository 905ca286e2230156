// Package ledger is toolbase's money core: every move of a balance, a use's
// charge and settlement, a usage's refund, a payout, an API key's quota
// charge, and the check that all of it adds up (Verify, which `toolbase
// ledger verify` runs). The HTTP layer, the record hooks and the CLI call it;
// it knows nothing of HTTP and reads no environment: what it needs of the
// configuration is passed in (Config).
//
// A reader checks here that money is right. The invariants it keeps, under
// any concurrency, crash or input, are the ones Verify checks:
//
//  1. A user's points_balance is the sum of its ledger rows on account
//     points; its total_revenue − total_payouts is the sum on account
//     revenue. A balance changes only together with its ledger row, in one
//     transaction, through a guarded UPDATE (Post): no balance is ever
//     negative (nor above collections.MaxPoints), whatever runs concurrently.
//  2. Ledger rows (point_transactions) are only appended, never changed or
//     deleted: each row's balance_after is the running sum of its user's
//     account in the order rows were appended.
//  3. A paid usage has exactly one USAGE debit of its points_spent (from its
//     payer) and at most one EARNING (points_spent minus the platform fee,
//     to the tool's creator), copied on the usage as creator_earning; a free
//     usage has no ledger rows. The tool's counters move with it, once. A
//     usage imported from the Django platform (legacy_id set) was paid there
//     and has no USAGE or EARNING row: its payer's OPENING balance already
//     reflects it (and the platform never paid its creators).
//  4. A usage is refunded at most once: when its remote call failed (FAILED,
//     refunded by Settle) or by an approved refund (refunded_at set by
//     RefundUsage), never both. A refund credits the payer everything it paid
//     and takes back from the creator at most the earning, never taking the
//     creator's pending revenue below zero (the platform absorbs the rest,
//     and the notes say so). A refunded usage leaves its tool's counters.
//  5. Every USAGE, EARNING and REFUND row names its usage.
//  6. An approved refund records what the ledger moved for it.
//  7. A payout is paid at most once: one PAYOUT row on account revenue of
//     its creator, whose note starts with "payout <id>", per PAID payout,
//     and none for any other.
//  8. An OPENING row is an imported account's opening balance: a credit,
//     the first row of its account, one per account, of an imported user.
//
// Each transition of a usage, a refund or a payout is a conditional UPDATE
// whose affected-rows count decides (ClaimStatus, the refund and settle
// claims), so of concurrent attempts exactly one goes on.
//
// A use (RecordUse) shares its transaction and its commit with the uses
// queued with it (Group, group.go): each runs in a savepoint of its own, so a
// use refused (points, quota, a tool no longer ACTIVE) rolls back alone; none
// is answered before the group's commit; what a use tells others (metrics,
// balance events, the usage's realtime event) happens after that commit and
// only for the uses in it; a failed commit fails every use of the group and
// charges nothing. Whether the tool may be used is decided in the use's
// transaction, whatever the caller read before.
//
// The functions that write take the app or the transaction app they run in
// (never the outer app inside a transaction: it would wait for the one write
// connection the transaction holds). Those that open a transaction join the
// caller's, if any.
package ledger
