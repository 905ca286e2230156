package collections

// API rules of the PocketBase records API. They are the one statement of spec
// section 3: the DRF API evaluates the same strings (core.App.CanAccessRecord and
// rule-filtered queries), so the two surfaces cannot disagree.
//
// PocketBase joins `&&` and `||` without grouping (AND binds tighter), so every
// mixed expression below is parenthesised.
const (
	authed  = `@request.auth.id != ""`
	isAdmin = `@request.auth.role = "ADMIN"`

	// UsersViewRule: own record, or any for admins.
	UsersViewRule = `(id = @request.auth.id || ` + isAdmin + `)`
	// UsersCreateRule: open registration, which can only make a CLIENT and never
	// set a balance; admins may register any role.
	UsersCreateRule = `(@request.body.role:isset = false || @request.body.role = "CLIENT" || ` + isAdmin + `)` +
		` && @request.body.points_balance:isset = false` +
		` && @request.body.total_revenue:isset = false` +
		` && @request.body.total_payouts:isset = false`
	// UsersUpdateRule: own profile or, for admins, anyone's. What the caller may
	// not set is ignored rather than refused (as update_me ignores read-only
	// fields), by toolbase's hooks, not by this rule: only an admin changes a
	// role, and never its own; balances never move through the records API
	// (a superuser's dashboard edit becomes an audited ADJUSTMENT).
	UsersUpdateRule = UsersViewRule
	// UsersDeleteRule: admins, not themselves.
	UsersDeleteRule = isAdmin + ` && id != @request.auth.id`
	// UsersManageRule lets admins change another user's email or password.
	UsersManageRule = isAdmin
	// UsersAuthRule: every user may sign in but a deactivated one (an
	// imported Django user whose is_active was false).
	UsersAuthRule = `deactivated = false`

	// ToolsViewRule: ACTIVE tools for everyone signed in, own tools in any status,
	// all tools for admins.
	ToolsViewRule = authed + ` && (status = "ACTIVE" || creator = @request.auth.id || ` + isAdmin + `)`
	// ToolsCreateRule: creators and admins; a creator's tool is its own and starts
	// as DRAFT or PENDING.
	ToolsCreateRule = `(@request.auth.role = "TOOL_CREATOR" || ` + isAdmin + `)` +
		` && (@request.body.creator:isset = false || @request.body.creator = @request.auth.id || ` + isAdmin + `)` +
		` && (@request.body.status:isset = false || @request.body.status = "DRAFT" || @request.body.status = "PENDING" || ` + isAdmin + `)`
	// ToolsUpdateRule: admins edit any tool; a creator edits its own, keeps it its
	// own, and moves its status only DRAFT→PENDING or ACTIVE⇄INACTIVE.
	ToolsUpdateRule = authed + ` && (` + isAdmin + ` || (creator = @request.auth.id` +
		` && @request.body.creator:changed = false` +
		` && (@request.body.status:changed = false` +
		` || (status = "DRAFT" && @request.body.status = "PENDING")` +
		` || (status = "ACTIVE" && @request.body.status = "INACTIVE")` +
		` || (status = "INACTIVE" && @request.body.status = "ACTIVE"))))`
	// ToolsDeleteRule: the owner or an admin.
	ToolsDeleteRule = authed + ` && (creator = @request.auth.id || ` + isAdmin + `)`

	// UsageViewRule: own usage, usage of own tools, or all for admins.
	UsageViewRule = authed + ` && (user = @request.auth.id || tool.creator = @request.auth.id || ` + isAdmin + `)`

	// TransactionsViewRule: own ledger rows, or all for admins.
	TransactionsViewRule = authed + ` && (user = @request.auth.id || ` + isAdmin + `)`

	// FeedbackViewRule: public reviews of ACTIVE tools for everyone signed in;
	// every review for its author, the tool's creator and admins.
	FeedbackViewRule = authed + ` && ((is_public = true && tool.status = "ACTIVE") || user = @request.auth.id || tool.creator = @request.auth.id || ` + isAdmin + `)`

	// APIKeysViewRule: the owner or an admin.
	APIKeysViewRule = authed + ` && (user = @request.auth.id || ` + isAdmin + `)`
	// APIKeysUpdateRule: the owner or an admin edits name, limits and is_active;
	// owner and scope are fixed at creation.
	APIKeysUpdateRule = APIKeysViewRule +
		` && @request.body.user:changed = false && @request.body.tool:changed = false`

	// PayoutsViewRule: own payouts, or all for admins.
	PayoutsViewRule = authed + ` && (creator = @request.auth.id || ` + isAdmin + `)`
	// PayoutsCreateRule: a creator requests a payout for itself (toolbase checks
	// the amount against its pending balance). Statuses move only through the
	// admin routes: payouts have no update or delete rule.
	PayoutsCreateRule = `@request.auth.role = "TOOL_CREATOR"` +
		` && (@request.body.creator:isset = false || @request.body.creator = @request.auth.id)`

	// RefundsViewRule: own refund requests, or all for admins.
	RefundsViewRule = authed + ` && (requester = @request.auth.id || ` + isAdmin + `)`
	// RefundsCreateRule: the user who paid for a usage requests its refund
	// (toolbase checks the window and that it cost something). Decisions are
	// the admin routes': refunds have no update or delete rule.
	RefundsCreateRule = authed +
		` && (@request.body.requester:isset = false || @request.body.requester = @request.auth.id)` +
		` && usage.user = @request.auth.id`

	// TicketsViewRule: own tickets, or all for admins.
	TicketsViewRule = authed + ` && (requester = @request.auth.id || ` + isAdmin + `)`
	// TicketsCreateRule: anyone signed in opens a ticket for itself, OPEN and
	// unassigned; admins open any.
	TicketsCreateRule = authed + ` && (` + isAdmin +
		` || ((@request.body.requester:isset = false || @request.body.requester = @request.auth.id)` +
		` && (@request.body.status:isset = false || @request.body.status = "OPEN")` +
		` && @request.body.assigned_to:isset = false))`
	// TicketsUpdateRule: admins assign, prioritise and move any ticket; the
	// requester may edit the subject and close its own. The requester never changes.
	TicketsUpdateRule = authed + ` && @request.body.requester:changed = false && (` + isAdmin +
		` || (requester = @request.auth.id` +
		` && @request.body.assigned_to:changed = false` +
		` && @request.body.priority:changed = false` +
		` && (@request.body.status:changed = false || @request.body.status = "CLOSED")))`

	// MessagesViewRule: the requester reads the messages of its tickets except
	// internal notes; admins read all. Realtime applies the same rule.
	MessagesViewRule = authed + ` && ((ticket.requester = @request.auth.id && internal = false) || ` + isAdmin + `)`
	// MessagesCreateRule: the requester writes on its own ticket while it is not
	// CLOSED; admins write on any, internal notes included. The author is the caller.
	MessagesCreateRule = authed +
		` && (@request.body.author:isset = false || @request.body.author = @request.auth.id)` +
		` && (` + isAdmin + ` || (ticket.requester = @request.auth.id && ticket.status != "CLOSED"` +
		` && (@request.body.internal:isset = false || @request.body.internal = false)))`

	// PagesViewRule: published pages for everyone, signed in or not; drafts for admins.
	PagesViewRule = `(published = true || ` + isAdmin + `)`
	// PagesWriteRule: admins create, edit and delete pages.
	PagesWriteRule = isAdmin

	// AuditViewRule: admins read the audit log; nobody writes it (toolbase appends).
	AuditViewRule = isAdmin

	// FeedbackCreateRule: a signed-in user writes its own review (user may be
	// left out: it is then the caller). Whether the user may review the tool at
	// all (a successful usage, not its own tool) is checked by a record hook,
	// on every surface.
	FeedbackCreateRule = `@request.auth.id != "" && (@request.body.user:isset = false || @request.body.user = @request.auth.id)`
	// FeedbackUpdateRule: the author or an admin (the DRF API's IsOwnerOrAdmin)
	// edits a review, and never moves it to another tool or user.
	FeedbackUpdateRule = `@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")` +
		` && @request.body.tool:changed = false && @request.body.user:changed = false`
	// FeedbackDeleteRule: the author, or an admin (moderation).
	FeedbackDeleteRule = `@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`
	// FeedbackScope narrows the list rule to the DRF API's feedback viewset:
	// own reviews, reviews of own tools, or all for admins.
	FeedbackScope = `@request.auth.id != "" && (user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`

	// ToolStatsRule: a tool's statistics are for its creator and admins.
	ToolStatsRule = `@request.auth.id != "" && (creator = @request.auth.id || @request.auth.role = "ADMIN")`
)
