package collections

// API rules of the PocketBase records API. They are the one statement of spec
// section 3: the seed API evaluates the same strings (core.App.CanAccessRecord and
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
	// UsersUpdateRule: own profile or, for admins, anyone's; only an admin changes
	// a role, and never its own; balances never move through the records API.
	UsersUpdateRule = UsersViewRule +
		` && (@request.body.role:changed = false || (` + isAdmin + ` && id != @request.auth.id))` +
		` && @request.body.points_balance:changed = false` +
		` && @request.body.total_revenue:changed = false` +
		` && @request.body.total_payouts:changed = false`
	// UsersDeleteRule: admins, not themselves.
	UsersDeleteRule = isAdmin + ` && id != @request.auth.id`
	// UsersManageRule lets admins change another user's email or password.
	UsersManageRule = isAdmin

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

	// FeedbackViewRule: public reviews for everyone signed in; private ones for
	// their author, the tool's creator and admins.
	FeedbackViewRule = authed + ` && (is_public = true || user = @request.auth.id || tool.creator = @request.auth.id || ` + isAdmin + `)`

	// APIKeysViewRule: the owner or an admin.
	APIKeysViewRule = authed + ` && (user = @request.auth.id || ` + isAdmin + `)`
	// APIKeysUpdateRule: the owner or an admin edits name, limits and is_active;
	// owner and scope are fixed at creation.
	APIKeysUpdateRule = APIKeysViewRule +
		` && @request.body.user:changed = false && @request.body.tool:changed = false`
)
