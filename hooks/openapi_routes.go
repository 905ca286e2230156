package hooks

import (
	"fmt"
	"strings"

	c "toolbase/collections"
)

func drfOperations() []opSpec {
	idOf := func(what string) string { return "The " + what + "'s id." }
	search := queryParam("search", str("").chars(0, maxSearchChars),
		"Words (split on spaces and commas) that must each occur in the name, the description or a tag; case-insensitive, `%` and `_` literal.")
	category := queryParam("category", enum(c.Categories, ""), "Only tools of this category; another value is 400.")
	status := queryParam("status", enum(c.Statuses, ""), "Only tools with this status (within what the caller can see); another value is 400.")
	creator := queryParam("creator", str(""), "Only tools of this creator (a user id).")
	ordering := queryParam("ordering", str(""), "Comma-separated fields, `-` for descending: `"+strings.Join(toolOrderings, "`, `")+
		"`. Unknown fields are ignored. Default `-created_at`.")
	usageTool := queryParam("tool", str(""), "Only the usage of this tool.")
	since := queryParam("since", str(""), "From this time, inclusive: RFC 3339 (any offset) or `YYYY-MM-DD` (UTC midnight).")
	until := queryParam("until", str(""), "Up to this time, inclusive (a date includes its whole day).")
	badTime := "A bad `since` or `until`: `{\"since\": [\"Enter a valid date/time: RFC 3339 (2006-01-02T15:04:05Z) or YYYY-MM-DD.\"]}`."
	statsParams := []*oaParameter{
		queryParam("from", str("").format("date"), fmt.Sprintf("The first day, `YYYY-MM-DD` (UTC), inclusive. Default: %d days before `to`.", defaultStatsDays-1)),
		queryParam("to", str("").format("date"), "The last day, `YYYY-MM-DD` (UTC), inclusive. Default: today."),
		queryParam("interval", enum(intervals, "").def(intervalDay), "The series' buckets: `day`, `week` (from Monday) or `month`. "+
			"The range is widened to whole buckets."),
	}
	badRange := fmt.Sprintf("A bad range: a date not `YYYY-MM-DD` (`{\"from\": [\"Date has wrong format. Use one of these formats instead: "+
		"YYYY-MM-DD.\"]}`), an unknown `interval` (`{\"interval\": [\"\\\"hour\\\" is not a valid choice.\"]}`), `from` after `to`, or more than %d "+
		"buckets (`non_field_errors`).", maxStatsBuckets)
	choiceErr := func(params string) string {
		return "A bad " + params + ": `{\"status\": [\"Select a valid choice. X is not one of the available choices.\"]}`."
	}
	admins := "admins"
	// The 404s that several operations share.
	noTool := notFoundWhen("No such tool, or one the caller can't see.")
	noUser := notFoundWhen("No such user.")
	noTicket := notFoundWhen("No such ticket, or another user's.")
	noKey := notFoundWhen("No such key, or another user's.")
	noReview := notFoundWhen("No such review, or one outside the caller's list.")
	noPage := notFoundWhen("No such page, or a draft for a non-admin.")
	recounted := "The tool's rating counters are recounted in the same transaction."
	userRows := "the users collection's view rule: admins see everyone, others only themselves (another user is 404)"

	return []opSpec{
		// tokens
		{method: "POST", path: "/token/", tag: tagTokens, id: "obtainTokens", access: public, summary: "Obtain an access and a refresh token", who: "anyone",
			desc: "Email and password for `{access, refresh}`. The users collection's auth rule decides who may sign in, as on the records API.\n\n" +
				loginThrottleDoc(),
			body: bodyOf(tokenObtainBody, true, ""), responses: []response{ok(200, "The tokens.", ref("TokenPair")), badRequest("A missing, blank, non-string or too long `email` or `password`; an unreadable body."), withJSON(401, "An unknown email, a wrong password, or a user the auth rule refuses: the same answer (and about the same time) in each case.", ref("Detail"), detailOf(msgNoActiveAccount)), withJSON(403, "The users collection requires multi-factor authentication: sign in through `/api/collections/users/auth-with-password`.", ref("Detail"), nil), withJSON(429, "Too many failed logins.", ref("Detail"), detailOf("Request was throttled. Expected available in 60 seconds.")).header("Retry-After", "Seconds to wait.", integer(""))}},
		{method: "POST", path: "/token/refresh/", tag: tagTokens, id: "refreshTokens", access: public, summary: "Rotate a refresh token", who: "anyone",
			desc: "A refresh token for a new access token and a new refresh token. Each refresh token works once (of concurrent uses exactly one " +
				"succeeds); its id is remembered until it expires.",
			body: bodyOf(tokenRefreshBody, true, ""), responses: []response{ok(200, "A new pair.", ref("TokenPair")), badRequest("`refresh` missing, blank or not a string; an unreadable body."), withJSON(401, "A used, expired, tampered or malformed token; an access token; a token of a deleted user or one the auth rule now refuses; a token issued before the user's password or email changed or the users collection's token secret was rotated.", ref("TokenError"), tokenError{msgTokenInvalid, "token_not_valid"})}},
		{method: "POST", path: "/token/verify/", tag: tagTokens, id: "verifyToken", access: public, summary: "Check a token", who: "anyone",
			desc: "200 `{}` for a live access token of a user, or an unused live refresh token (as SimpleJWT with its blacklist).",
			body: bodyOf(tokenVerifyBody, true, ""), responses: []response{ok(200, "The token is valid.", ref("Empty")), badRequest("`token` missing, blank or not a string; an unreadable body."), withJSON(401, "Any other token.", ref("TokenError"), tokenError{msgTokenInvalid, "token_not_valid"})}},

		// users
		{method: "POST", path: "/users/register/", tag: tagUsers, id: "register", access: public, summary: "Register a client", who: "anyone (the users collection's create rule decides whether registration is open)",
			desc: "Creates a CLIENT with 0 points. No tokens are returned: call `POST /api/token/`.",
			body: bodyOf(registerBody, true, ""), responses: []response{ok(201, "The new user.", ref("User")), badRequest("Field errors, e.g. `{\"non_field_errors\": [\"" + msgPasswordsDontMatch + "\"]}`, `{\"email\": [\"" + msgEmailTaken + "\"]}`, `{\"username\": [\"" + msgUsernameTaken + "\"]}`, a weak password; nested profile errors are nested."), withJSON(403, "The users create rule refuses (registration closed or restricted).", ref("Detail"), detailOf("Registration is closed."))}},
		{method: "GET", path: "/users/users/", tag: tagUsers, id: "listUsers", paginated: true, summary: "List users", who: admins,
			desc:      "Newest first.",
			params:    []*oaParameter{queryParam("role", enum(c.Roles, ""), "Only users of this role; another value is 400."), queryParam("search", str(""), "A substring of the email, username, first or last name (the first 200 characters count).")},
			responses: []response{ok(200, "A page of users.", ref("PaginatedUsers")), badRequest(choiceErr("`role`")), forbiddenWhen("Not an admin.")}},
		{method: "GET", path: "/users/users/me/", tag: tagUsers, id: "showMe", summary: "Show the caller's profile", who: "any user",
			responses: []response{ok(200, "The caller, with balances.", ref("User"))}},
		{method: "PUT", path: "/users/users/update_me/", tag: tagUsers, id: "replaceMe", summary: "Edit the caller's profile", who: "any user",
			body: bodyOf(meEditBody, true, ""), responses: []response{ok(200, "The caller.", ref("User")), badRequest("Field errors (a taken username, a bad URL…)."), forbiddenWhen("The users update rule refuses the change.")}},
		{method: "PATCH", path: "/users/users/update_me/", tag: tagUsers, id: "updateMe", summary: "Edit part of the caller's profile", who: "any user",
			body: bodyOf(meEditBody, true, "Any subset of the fields."), responses: []response{ok(200, "The caller.", ref("User")), badRequest("Field errors."), forbiddenWhen("The users update rule refuses the change.")}},
		{method: "GET", path: "/users/users/{id}/", tag: tagUsers, id: "showUser", pathParam: idOf("user"), summary: "Show a user", who: "admins; any user for itself",
			responses: []response{ok(200, "The user.", ref("User")), notFoundWhen("No such user, or " + userRows + ".")}},
		{method: "PUT", path: "/users/users/{id}/", tag: tagUsers, id: "replaceUser", pathParam: idOf("user"), summary: "Edit a user", who: admins,
			body: bodyOf(userEditBody, true, ""), responses: []response{ok(200, "The user.", ref("User")), badRequest("Field errors."), forbiddenWhen("Not an admin."), noUser}},
		{method: "PATCH", path: "/users/users/{id}/", tag: tagUsers, id: "updateUser", pathParam: idOf("user"), summary: "Edit part of a user", who: admins,
			body: bodyOf(userEditBody, true, "Any subset of the fields."), responses: []response{ok(200, "The user.", ref("User")), badRequest("Field errors."), forbiddenWhen("Not an admin."), noUser}},
		{method: "DELETE", path: "/users/users/{id}/", tag: tagUsers, id: "deleteUser", pathParam: idOf("user"), summary: "Delete a user", who: "admins, not their own account",
			desc:      "History is never deleted: a user with usage, ledger rows (as holder or actor) or reviews, or who owns tools, is kept (409): change its role instead. Its API keys are deleted with it.",
			responses: []response{noContent("Deleted."), forbiddenWhen("Not an admin, or the admin's own account (`You cannot delete your own account.`)."), noUser, conflict("The user has history or owns tools.", msgUserHasHistory)}},
		{method: "POST", path: "/users/users/{id}/change_role/", tag: tagUsers, id: "changeRole", pathParam: idOf("user"), summary: "Change a user's role", who: "admins, not for themselves",
			body: bodyOf(roleBody, true, ""), responses: []response{ok(200, "The user.", ref("User")), withJSON(400, "A missing or unknown role (the DRF API's shape), or an unreadable body.", oneOf("", ref("InvalidRole"), ref("Detail")), map[string]string{"error": "Invalid role"}), forbiddenWhen("Not an admin, or the admin's own role (`You cannot change your own role.`)."), noUser}},
		{method: "GET", path: "/users/clients/", tag: tagUsers, id: "listClients", summary: "List clients", who: admins,
			desc:      fmt.Sprintf("A bare array, newest first, at most %d items.", maxBareList),
			responses: []response{ok(200, "The clients.", arrayOf(ref("Client"), "")), forbiddenWhen("Not an admin.")}},
		{method: "GET", path: "/users/clients/points_balance/", tag: tagUsers, id: "pointsBalance", summary: "Show the caller's points", who: "any user",
			responses: []response{ok(200, "The balance.", ref("PointsBalance"))}},
		{method: "GET", path: "/users/tool-creators/", tag: tagUsers, id: "listToolCreators", summary: "List tool creators", who: admins,
			desc:      fmt.Sprintf("A bare array, newest first, at most %d items.", maxBareList),
			responses: []response{ok(200, "The tool creators.", arrayOf(ref("ToolCreator"), "")), forbiddenWhen("Not an admin.")}},
		{method: "GET", path: "/users/tool-creators/revenue_stats/", tag: tagUsers, id: "revenueStats", summary: "Show the caller's revenue", who: "tool creators",
			responses: []response{ok(200, "The caller's revenue.", ref("RevenueStats")), forbiddenWhen("Not a tool creator (admins included).")}},

		// points and ledger
		{method: "POST", path: "/users/users/{id}/add_points/", tag: tagPoints, id: "addPoints", pathParam: idOf("user"), summary: "Grant points to a user", who: admins,
			desc: "A GRANT ledger row with the admin as actor and the reason as note, audited as `points.grant`.",
			body: bodyOf(pointsBody, true, ""), responses: []response{ok(200, "The user, in the client representation.", ref("Client")), badRequest("Field errors on `points` or `reason`, or `{\"points\": [\"The balance would exceed its limit.\"]}`."), forbiddenWhen("Not an admin."), noUser}},
		{method: "POST", path: "/users/users/{id}/deduct_points/", tag: tagPoints, id: "deductPoints", pathParam: idOf("user"), summary: "Deduct points from a user", who: admins,
			desc: "A DEDUCT ledger row with the admin as actor, audited as `points.deduct`. Never below zero.",
			body: bodyOf(pointsBody, true, ""), responses: []response{ok(200, "The user, in the client representation.", ref("Client")), badRequest("Field errors, or `{\"non_field_errors\": [\"Insufficient points\"]}` when the balance is smaller."), forbiddenWhen("Not an admin."), noUser}},
		{method: "GET", path: "/users/users/me/transactions/", tag: tagPoints, id: "myTransactions", paginated: true, summary: "List the caller's ledger", who: "any user",
			desc:      "Both accounts (`points`, and a creator's `revenue`), newest first.",
			responses: []response{ok(200, "A page of ledger rows.", ref("PaginatedTransactions"))}},
		{method: "GET", path: "/users/users/{id}/transactions/", tag: tagPoints, id: "userTransactions", paginated: true, pathParam: idOf("user"), summary: "List a user's ledger", who: "admins; any user for itself",
			desc:      "Newest first.",
			responses: []response{ok(200, "A page of ledger rows.", ref("PaginatedTransactions")), notFoundWhen("No such user, or " + userRows + ".")}},

		// tools
		{method: "GET", path: "/tools/tools/", tag: tagTools, id: "listTools", paginated: true, summary: "List tools", who: "any user",
			desc:      "The tools visible to the caller, in the list representation.",
			params:    []*oaParameter{search, category, status, creator, ordering},
			responses: []response{ok(200, "A page of tools.", ref("PaginatedTools")), badRequest(choiceErr("`category` or `status`") + " A `search` over 200 characters.")}},
		{method: "POST", path: "/tools/tools/", tag: tagTools, id: "createTool", summary: "Create a tool", who: "tool creators and admins; the creator is the caller",
			body: bodyOf(toolBody, true, ""), responses: []response{ok(201, "The new tool.", ref("Tool")), badRequest("Field errors, e.g. `{\"name\": [\"This field is required.\"]}`; a `status` that is no status (a creator's ACTIVE, INACTIVE or SUSPENDED is ignored: the tool starts as DRAFT); an `api_endpoint` that is not https."), forbiddenWhen("A client (checked before the body is read).")}},
		{method: "GET", path: "/tools/tools/search/", tag: tagTools, id: "searchTools", summary: "Search tools", who: "any user",
			desc:      fmt.Sprintf("The visible tools where `q` occurs in the name or the description, or is one of the tags (case-insensitive); without `q`, "+"every visible tool. A bare array in the detail representation, newest first (or `ordering`), at most %d items.", maxBareList),
			params:    []*oaParameter{queryParam("q", str("").chars(0, maxSearchChars), "The text to find."), category, ordering},
			responses: []response{ok(200, "The tools found.", arrayOf(ref("Tool"), "")), badRequest(choiceErr("`category`") + " A `q` over 200 characters.")}},
		{method: "GET", path: "/tools/tools/my_tools/", tag: tagTools, id: "myTools", summary: "List the caller's own tools", who: "tool creators and admins",
			desc:      fmt.Sprintf("The caller's tools in any status: a bare array in the detail representation, newest first (or `ordering`), at most %d items.", maxBareList),
			params:    []*oaParameter{search, category, status, creator, ordering},
			responses: []response{ok(200, "The caller's tools.", arrayOf(ref("Tool"), "")), badRequest(choiceErr("`category` or `status`")), forbiddenWhen("A client.")}},
		{method: "GET", path: "/tools/tools/{id}/", tag: tagTools, id: "showTool", pathParam: idOf("tool"), summary: "Show a tool", who: "any user who can see it (a tool-scoped API key: its tool)",
			responses: []response{ok(200, "The tool.", ref("Tool")), noTool}},
		{method: "PUT", path: "/tools/tools/{id}/", tag: tagTools, id: "replaceTool", pathParam: idOf("tool"), summary: "Edit a tool", who: "its creator, admins",
			desc: "The status move is judged against the stored status, in the transaction of the write. A creator moves its own tool " +
				"DRAFT → PENDING and ACTIVE ⇄ INACTIVE (sending the current status is fine); only admins approve (ACTIVE) or suspend (SUSPENDED).",
			body: bodyOf(toolBody, true, ""), responses: []response{ok(200, "The tool.", ref("Tool")), badRequest("Field errors; a refused status move alone: `{\"status\": [\"Cannot move this tool from DRAFT to ACTIVE: …\"]}`."), forbiddenWhen("The caller can see the tool but may not edit it (checked before the body is read)."), noTool}},
		{method: "PATCH", path: "/tools/tools/{id}/", tag: tagTools, id: "updateTool", pathParam: idOf("tool"), summary: "Edit part of a tool", who: "its creator, admins",
			desc: "As PUT, with any subset of the fields.",
			body: bodyOf(toolBody, true, "Any subset of the fields."), responses: []response{ok(200, "The tool.", ref("Tool")), badRequest("Field errors; a refused status move."), forbiddenWhen("The caller can see the tool but may not edit it."), noTool}},
		{method: "DELETE", path: "/tools/tools/{id}/", tag: tagTools, id: "deleteTool", pathParam: idOf("tool"), summary: "Delete a tool", who: "its creator, admins",
			desc:      "Usage and ledger rows are never removed, so a tool with usage (or reviews) is kept: set it INACTIVE. API keys scoped to a deleted tool are deleted with it.",
			responses: []response{noContent("Deleted."), forbiddenWhen("The caller can see the tool but may not delete it."), noTool, conflict("The tool has usage or reviews.", "This tool has usage records, which are never deleted, so it cannot be deleted; set it INACTIVE instead.")}},

		// use
		{method: "POST", path: "/tools/tools/{id}/use/", tag: tagUse, id: "useTool", pathParam: idOf("tool"), summary: "Use a tool", who: "any user who can see the tool (a tool-scoped API key: its tool)",
			desc: "Charges the caller the tool's `points_cost` and records the use, in one transaction: the guarded debit, the usage, the ledger rows " +
				"(the debit, and the creator's earning: the cost minus the platform fee of `TOOLBASE_PLATFORM_FEE_PERCENT`, default 20%, floored), " +
				"the tool's counters. Admins, and a creator on its own tool, use free (`points_spent` 0, no ledger rows). A use through an API key " +
				"counts against the key's daily and monthly limits and records the key.\n\n" +
				"**Idempotency.** With an `Idempotency-Key`, the same key from the same user within 24 hours replays the first answer " +
				"(same status and body, header `Idempotent-Replayed: true`) and charges nothing; the same key with another tool or input is 422.\n\n" +
				"**Local tools** (no `api_endpoint`): the use succeeds at once with `output_data` `{\"status\": \"accepted\"}`.\n\n" +
				"**Built-in tools** (`api_endpoint` `https://builtin.invalid/<name>`: wordcount, json-format, hash, markdown, units): they run inside toolbase, " +
				"without network, and settle like remote tools: their output, or a failed use refunded once (e.g. invalid JSON to json-format).\n\n" +
				"**Remote tools** (an `api_endpoint`): after the charge is committed, toolbase POSTs " +
				"`{\"usage_id\", \"tool_id\", \"user_id\", \"input_data\"}` (JSON) to the endpoint, with header `" +
				SignatureHeader +
				": t=<unix seconds>,v1=<hex>`, " +
				"where `v1` is the HMAC-SHA256 of `<t>.<raw body>` under the tool's signing secret (see `signing_secret/`): the endpoint should " +
				"recompute it and refuse stale `t`. The endpoint has the tool's `timeout_seconds` (1–120, default 30; set through the records API or the dashboard) to answer 2xx with JSON of at most 1 MiB, which " +
				"becomes `output_data` (`state` SUCCEEDED). Anything else (a timeout, a non-2xx status, a redirect, which is not followed, invalid " +
				"or oversized JSON, an address toolbase may not call) fails the use: `state` FAILED, `success` false, `error_message` says why, and " +
				"the points are refunded in the same settlement (`remaining_points` is after the refund). Either way the answer is 200. A use " +
				"left PENDING by a crash is failed and refunded when the server restarts or once past its timeout. Endpoints must use https " +
				"(unless `TOOLBASE_ALLOW_HTTP_ENDPOINTS`) and public addresses (unless `TOOLBASE_ALLOW_PRIVATE_ENDPOINTS`); at most " +
				"`TOOLBASE_TOOL_MAX_IN_FLIGHT` (default 32) calls to one tool run at once.",
			params: []*oaParameter{{Name: "Idempotency-Key", In: "header", Description: "Any client-chosen string; the same key from the same " + "user within 24 hours replays the first answer.", Schema: str("").chars(0, c.MaxIdempotencyKeyChars)}},
			body:   bodyOf(useBody, false, "The tool's input. An empty body is `{}`."), responses: []response{ok(200, "The use (also when a replay, or a remote call that failed and was refunded).", ref("UseResult")).header("Idempotent-Replayed", "`true` when this answer replays an earlier use with the same `Idempotency-Key`.", enum([]string{"true"}, "")), withJSON(400, "Not enough points: `{\"non_field_errors\": [\"Insufficient points\"], \"required\": c, \"available\": p}` (nothing is written); a tool that is visible but not ACTIVE, to anyone but its creator: `{\"non_field_errors\": [\"Cannot use this tool\"]}`; `input_data` not an object; "+fmt.Sprintf("an `Idempotency-Key` over %d characters (`{\"detail\"}`); an unreadable body.", c.MaxIdempotencyKeyChars), oneOf("", ref("InsufficientPoints"), ref("FieldErrors"), ref("Detail")), map[string]any{"non_field_errors": []string{"Insufficient points"}, "required": 10, "available": 3}), withJSON(401, "The API key was deactivated, deleted or expired while the use was in flight (nothing is charged).", ref("Detail"), nil), forbiddenWhen("A tool-scoped API key for another tool."), noTool, conflict("The `Idempotency-Key` replays a remote use whose call is still running.", "Request in progress."), withJSON(413, fmt.Sprintf("The body exceeds %d bytes, or `input_data` exceeds %d bytes encoded.", maxUseBodyBytes, c.MaxInputBytes), ref("Detail"), detailOf(fmt.Sprintf("input_data exceeds %d bytes.", c.MaxInputBytes))), withJSON(422, "The `Idempotency-Key` was already used with another tool or input.", ref("Detail"), detailOf("This Idempotency-Key was already used with a different tool or input.")), withJSON(429, "The API key's daily or monthly limit is reached (nothing is charged; `Retry-After` is the seconds to the next UTC day or month), or too many calls to this remote tool are running (`Too many calls to this tool are running; retry shortly.`).", ref("Detail"), detailOf("Daily limit of this API key reached: 1000 uses per UTC day.")).header("Retry-After", "For a key's quota: seconds until it restarts.", integer(""))}},
		{method: "POST", path: "/tools/tools/{id}/signing_secret/", tag: tagUse, id: "newSigningSecret", pathParam: idOf("tool"), summary: "Make a new signing secret for a tool's calls", who: "its creator, admins",
			desc: "A new secret for the `" +
				SignatureHeader +
				"` header of the calls toolbase makes to the tool's `api_endpoint`, shown this " +
				"once; the old secret stops at once. Every tool gets a secret when created; this is the way to learn it.",
			body: bodyOf(noFieldsBody, false, "No fields; a body is read and ignored."), responses: []response{ok(200, "The new secret.", ref("SigningSecret")), badRequest("An unreadable body."), forbiddenWhen("The caller can see the tool but may not edit it."), noTool}},

		// usage
		{method: "GET", path: "/tools/usage/", tag: tagUsage, id: "listUsage", paginated: true, summary: "List usage", who: "any user: own usage; a creator also the usage of its tools; admins all (a tool-scoped API key: the tool's)",
			desc:      "Newest first. Times are compared at millisecond precision.",
			params:    []*oaParameter{usageTool, since, until},
			responses: []response{ok(200, "A page of usage.", ref("PaginatedUsage")), badRequest(badTime)}},
		{method: "GET", path: "/tools/usage/my_usage/", tag: tagUsage, id: "myUsage", summary: "List the caller's own usage", who: "any user (only its own, admins and creators too)",
			desc:      fmt.Sprintf("A bare array, newest first, at most %d items.", maxBareList),
			params:    []*oaParameter{usageTool, since, until},
			responses: []response{ok(200, "The caller's usage.", arrayOf(ref("Usage"), "")), badRequest(badTime)}},
		{method: "GET", path: "/tools/usage/{id}/", tag: tagUsage, id: "showUsage", pathParam: idOf("usage"), summary: "Show a usage", who: "as the list",
			responses: []response{ok(200, "The usage.", ref("Usage")), forbiddenWhen("A tool-scoped API key, for a usage of another tool that the owner can see."), notFoundWhen("No such usage, or one the caller can't see.")}},

		// keys
		{method: "GET", path: "/tools/api-keys/", tag: tagKeys, id: "listAPIKeys", paginated: true, summary: "List API keys", who: "any user: own keys; admins all",
			desc:      "Newest first. Secrets are masked.",
			responses: []response{ok(200, "A page of keys.", ref("PaginatedAPIKeys"))}},
		{method: "POST", path: "/tools/api-keys/", tag: tagKeys, id: "createAPIKey", access: tokenOnly, summary: "Create an API key", who: "any user, with a token",
			desc: "The answer carries the full secret in `api_key`, this once (with `Cache-Control: no-store`): store it, it cannot be recovered.",
			body: bodyOf(keyCreateBody, true, ""), responses: []response{ok(201, "The key, with its secret.", ref("APIKey")).header("Cache-Control", "`no-store`.", str("")), badRequest(fmt.Sprintf("Field errors (a blank name, a limit out of range, a past expiry, `{\"tool\": [\"Invalid pk \\\"…\\\" - object does not exist.\"]}`); `{\"non_field_errors\": [\"You can have at most %d API keys; delete one first.\"]}`.", maxKeysPerUser)), forbiddenWhen("Sent with an API key: `" + msgKeysNoManage + "`")}},
		{method: "GET", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "showAPIKey", pathParam: idOf("key"), summary: "Show an API key", who: "its owner, admins",
			responses: []response{ok(200, "The key (masked).", ref("APIKey")), noKey}},
		{method: "PUT", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "replaceAPIKey", pathParam: idOf("key"), access: tokenOnly, summary: "Edit an API key", who: "its owner, admins, with a token",
			body: bodyOf(keyUpdateBody, true, ""), responses: []response{ok(200, "The key (masked).", ref("APIKey")), badRequest("Field errors."), forbiddenWhen("Sent with an API key."), noKey}},
		{method: "PATCH", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "updateAPIKey", pathParam: idOf("key"), access: tokenOnly, summary: "Edit part of an API key", who: "its owner, admins, with a token",
			body: bodyOf(keyUpdateBody, true, "Any subset of the fields."), responses: []response{ok(200, "The key (masked).", ref("APIKey")), badRequest("Field errors."), forbiddenWhen("Sent with an API key."), noKey}},
		{method: "DELETE", path: "/tools/api-keys/{id}/", tag: tagKeys, id: "deleteAPIKey", pathParam: idOf("key"), access: tokenOnly, summary: "Delete an API key", who: "its owner, admins, with a token",
			desc:      "The key stops at once; its usage rows stay (their `api_key` is cleared).",
			responses: []response{noContent("Deleted."), forbiddenWhen("Sent with an API key."), noKey}},
		{method: "POST", path: "/tools/api-keys/{id}/regenerate/", tag: tagKeys, id: "regenerateAPIKey", pathParam: idOf("key"), access: tokenOnly, summary: "Replace an API key's secret", who: "its owner, admins, with a token",
			desc: "A new secret, returned this once (with `Cache-Control: no-store`). The old one stops at once, or after `grace_seconds`; " +
				"only one replaced secret is kept (regenerating again stops the one in grace). Limits, counters, scope and id stay.",
			body: bodyOf(keyRegenerateBody, false, ""), responses: []response{ok(200, "The key, with its new secret.", ref("APIKey")).header("Cache-Control", "`no-store`.", str("")), badRequest("`grace_seconds` out of range."), forbiddenWhen("Sent with an API key."), noKey}},

		// feedback
		{method: "GET", path: "/tools/tools/{id}/feedback/", tag: tagFeedback, id: "toolFeedback", pathParam: idOf("tool"), summary: "List a tool's public reviews", who: "any user who can see the tool",
			desc:      fmt.Sprintf("The tool's public reviews, newest first: a bare array of at most %d items.", maxBareList),
			responses: []response{ok(200, "The reviews.", arrayOf(ref("Feedback"), "")), noTool}},
		{method: "POST", path: "/tools/tools/{id}/submit_feedback/", tag: tagFeedback, id: "submitFeedback", pathParam: idOf("tool"), summary: "Review a tool", who: "any user who can see the tool and used it successfully at least once, except its creator",
			desc: "One review per user and tool: the first submission creates it (201), a later one replaces it (200), the fields it " +
				"omits taking their defaults (`comment` `\"\"`, `is_public` true). The tool's `average_rating` and `rating_count` are " +
				"recounted in the same transaction. The body is read first, then the tool (404), then the caller (403), then the fields " +
				"and the caller's use of the tool (400).",
			body: bodyOf(feedbackSubmitBody, true, ""), responses: []response{ok(200, "The caller's review of the tool, replaced.", ref("Feedback")), ok(201, "The new review.", ref("Feedback")), badRequest("Field errors (`rating` missing, not an integer or outside 1–5; `comment` too long; `is_public` not a boolean); no successful use of the tool by the caller: `{\"non_field_errors\": [\"" + msgMustUse + "\"]}`; an unreadable body."), withJSON(403, "The caller's own tool.", ref("Detail"), detailOf(msgOwnTool)), noTool}},
		{method: "GET", path: "/tools/feedback/", tag: tagFeedback, id: "listFeedback", paginated: true, summary: "List reviews", who: "any user: own reviews; a creator also the reviews of its tools (private ones too); admins all",
			desc:      "Newest first. Reviews are written with `POST /api/tools/tools/{id}/submit_feedback/`.",
			params:    []*oaParameter{queryParam("tool", str(""), "Only the reviews of this tool (an id).")},
			responses: []response{ok(200, "A page of reviews.", ref("PaginatedFeedback"))}},
		{method: "GET", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "showFeedback", pathParam: idOf("review"), summary: "Show a review", who: "as the list",
			responses: []response{ok(200, "The review.", ref("Feedback")), noReview}},
		{method: "PUT", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "replaceFeedback", pathParam: idOf("review"), summary: "Edit a review", who: "its author; admins (the DRF API's IsOwnerOrAdmin)",
			desc: recounted,
			body: bodyOf(feedbackUpdateBody, true, ""), responses: []response{ok(200, "The review.", ref("Feedback")), badRequest("Field errors (`rating` missing, not an integer or outside 1–5; `comment` too long; `is_public` not a boolean); an unreadable body."), forbiddenWhen("A review in the caller's list that it did not write, for a non-admin: the tool's creator (checked before the fields)."), noReview}},
		{method: "PATCH", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "updateFeedback", pathParam: idOf("review"), summary: "Edit part of a review", who: "its author; admins (the DRF API's IsOwnerOrAdmin)",
			desc: recounted,
			body: bodyOf(feedbackUpdateBody, true, "Any subset of the fields."), responses: []response{ok(200, "The review.", ref("Feedback")), badRequest("Field errors; an unreadable body."), forbiddenWhen("A review in the caller's list that it did not write, for a non-admin: the tool's creator (checked before the fields)."), noReview}},
		{method: "DELETE", path: "/tools/feedback/{id}/", tag: tagFeedback, id: "deleteFeedback", pathParam: idOf("review"), summary: "Delete a review", who: "its author; admins (moderation)",
			desc:      recounted,
			responses: []response{noContent("Deleted."), forbiddenWhen("The creator of the review's tool, who sees the review but did not write it."), noReview}},

		// statistics
		{method: "GET", path: "/tools/tools/{id}/stats/", tag: tagStats, id: "toolStats", pathParam: idOf("tool"), summary: "Show a tool's statistics", who: "its creator, admins (a tool-scoped API key of one of them: its tool)",
			desc: "The DRF API's four counters (`total_uses`, `total_revenue`, `average_rating`, `rating_count`) are the tool's lifetime ones; " +
				"`unique_users`, `creator_earnings` and `series` cover the range; `recent_usage` is the tool's last uses the caller may see. " +
				"The tool (404) and the caller (403) are checked before the range.",
			params:    statsParams,
			responses: []response{ok(200, "The tool's statistics.", ref("ToolStats")), badRequest(badRange), forbiddenWhen("The caller can see the tool but is neither its creator nor an admin."), noTool}},
		{method: "GET", path: "/tools/usage/stats/", tag: tagStats, id: "usageStats", summary: "Show the caller's usage statistics", who: "any user: a client its own usage; a creator the usage of its tools; an admin the platform's",
			desc: "The body depends on the caller's role, which its `role` names. Every number covers the range. Usage counts in the " +
				"bucket of its `created_at`, and so does its creator earning; points granted and new users count by their own `created_at`.",
			params:    statsParams,
			responses: []response{ok(200, "The statistics of the caller's role.", oneOf("", ref("ClientStats"), ref("CreatorStats"), ref("PlatformStats"))), badRequest(badRange)}},

		// payouts
		{method: "GET", path: "/payouts/", tag: tagPayouts, id: "listPayouts", paginated: true, summary: "List payouts", who: "any user: own payouts; admins all",
			desc:      "Newest first.",
			params:    []*oaParameter{queryParam("status", enum(c.PayoutStatuses, ""), "Only payouts in this status; another value is 400."), queryParam("creator", str(""), "Only this creator's payouts.")},
			responses: []response{ok(200, "A page of payouts.", ref("PaginatedPayouts")), badRequest(choiceErr("`status`"))}},
		{method: "POST", path: "/payouts/", tag: tagPayouts, id: "requestPayout", summary: "Request a payout", who: "tool creators, for themselves",
			body: bodyOf(payoutCreateBody, true, ""), responses: []response{ok(201, "The payout, REQUESTED.", ref("Payout")), badRequest("Field errors; `{\"amount\": [...]}` below the minimum or above what is available."), forbiddenWhen("Not a tool creator (checked before the body is read).")}},
		{method: "GET", path: "/payouts/{id}/", tag: tagPayouts, id: "showPayout", pathParam: idOf("payout"), summary: "Show a payout", who: "its creator, admins",
			responses: []response{ok(200, "The payout.", ref("Payout")), notFoundWhen("No such payout, or another creator's.")}},
		{method: "POST", path: "/payouts/{id}/approve/", tag: tagPayouts, id: "approvePayout", pathParam: idOf("payout"), summary: "Approve a payout", who: admins,
			desc: "REQUESTED → APPROVED. Audited as `payout.approve`.",
			body: bodyOf(approvePayoutMove.body, false, ""), responses: []response{ok(200, "The payout, APPROVED.", ref("Payout")), badRequest("Field errors."), forbiddenWhen("Not an admin."), notFoundWhen("No such payout."), conflict("The payout is not REQUESTED (also for every loser of concurrent decisions).", "This payout is PAID; it can be approved only when REQUESTED.")}},
		{method: "POST", path: "/payouts/{id}/reject/", tag: tagPayouts, id: "rejectPayout", pathParam: idOf("payout"), summary: "Reject a payout", who: admins,
			desc: "REQUESTED or APPROVED → REJECTED, with a note. Audited as `payout.reject`.",
			body: bodyOf(rejectPayoutMove.body, true, ""), responses: []response{ok(200, "The payout, REJECTED.", ref("Payout")), badRequest("`note` missing or blank; field errors."), forbiddenWhen("Not an admin."), notFoundWhen("No such payout."), conflict("The payout is PAID or REJECTED.", "This payout is PAID; it can be rejected only when REQUESTED or APPROVED.")}},
		{method: "POST", path: "/payouts/{id}/mark_paid/", tag: tagPayouts, id: "markPayoutPaid", pathParam: idOf("payout"), summary: "Mark a payout paid", who: admins,
			desc: "APPROVED → PAID, in one transaction with a PAYOUT ledger row on the creator's `revenue` account (`total_payouts` grows): " +
				"a payout is paid at most once, whatever runs concurrently. Audited as `payout.mark_paid`.",
			body: bodyOf(markPaidPayoutMove.body, true, ""), responses: []response{ok(200, "The payout, PAID.", ref("Payout")), badRequest("`reference` missing or blank; field errors."), forbiddenWhen("Not an admin."), notFoundWhen("No such payout."), conflict("The payout is not APPROVED (also for every loser of a race), or the creator's pending balance no longer covers it (refunds reversed part of it): reject it.", "This payout is PAID; it can be marked paid only when APPROVED.")}},

		// refunds
		{method: "GET", path: "/refunds/", tag: tagRefunds, id: "listRefunds", paginated: true, summary: "List refunds", who: "any user: own requests; admins all",
			desc:      "Newest first.",
			params:    []*oaParameter{queryParam("status", enum(c.RefundStatuses, ""), "Only refunds in this status; another value is 400."), queryParam("usage", str(""), "Only the refund of this usage.")},
			responses: []response{ok(200, "A page of refunds.", ref("PaginatedRefunds")), badRequest(choiceErr("`status`"))}},
		{method: "POST", path: "/refunds/", tag: tagRefunds, id: "requestRefund", summary: "Request a refund of a usage", who: "the user who paid for the usage",
			desc: "One request per usage; `amount` is the usage's `points_spent`.",
			body: bodyOf(refundCreateBody, true, ""), responses: []response{ok(201, "The refund, REQUESTED.", ref("Refund")), badRequest("Field errors on `usage`: someone else's or an unknown usage (`Invalid pk \"…\" - object does not exist.`), a free usage, a usage already refunded (by a refund or as a failed call), a remote use still PENDING, the refund window passed, a second request.")}},
		{method: "GET", path: "/refunds/{id}/", tag: tagRefunds, id: "showRefund", pathParam: idOf("refund"), summary: "Show a refund", who: "its requester, admins",
			responses: []response{ok(200, "The refund.", ref("Refund")), notFoundWhen("No such refund, or another user's.")}},
		{method: "POST", path: "/refunds/{id}/approve/", tag: tagRefunds, id: "approveRefund", pathParam: idOf("refund"), summary: "Approve a refund", who: admins,
			desc: "REQUESTED → APPROVED, in one transaction: a REFUND row crediting the payer's `points`, a REFUND reversal on the creator's " +
				"`revenue` of at most its pending balance (the platform absorbs what was already paid out, and the ledger notes say so), the usage " +
				"marked refunded, the tool's counters corrected. A usage is refunded at most once. Audited as `refund.approve`.",
			body: bodyOf(approveRefundDecision.body, false, ""), responses: []response{ok(200, "The refund, APPROVED, with the amounts moved.", ref("Refund")), badRequest("Field errors."), forbiddenWhen("Not an admin."), notFoundWhen("No such refund."), conflict("The refund is not REQUESTED (also for every loser of a race); the usage was refunded meanwhile or is still PENDING.", "This refund is APPROVED; it can be approved only when REQUESTED.")}},
		{method: "POST", path: "/refunds/{id}/reject/", tag: tagRefunds, id: "rejectRefund", pathParam: idOf("refund"), summary: "Reject a refund", who: admins,
			desc: "REQUESTED → REJECTED, with a note. Audited as `refund.reject`.",
			body: bodyOf(rejectRefundDecision.body, true, ""), responses: []response{ok(200, "The refund, REJECTED.", ref("Refund")), badRequest("`note` missing or blank; field errors."), forbiddenWhen("Not an admin."), notFoundWhen("No such refund."), conflict("The refund is not REQUESTED.", "This refund is APPROVED; it can be rejected only when REQUESTED.")}},

		// support
		{method: "GET", path: "/support/tickets/", tag: tagSupport, id: "listTickets", paginated: true, summary: "List tickets", who: "any user: own tickets; admins all",
			desc:      "Newest first, without messages.",
			params:    []*oaParameter{queryParam("status", enum(c.TicketStatuses, ""), "Only tickets in this status; another value is 400."), queryParam("priority", enum(c.TicketPriorities, ""), "Only tickets of this priority; another value is 400."), queryParam("assigned_to", str(""), "Only tickets assigned to this admin.")},
			responses: []response{ok(200, "A page of tickets.", ref("PaginatedTickets")), badRequest(choiceErr("`status` or `priority`"))}},
		{method: "POST", path: "/support/tickets/", tag: tagSupport, id: "openTicket", summary: "Open a ticket", who: "any user, for itself",
			desc: "An OPEN, unassigned ticket, with `message` as its first message when given.",
			body: bodyOf(ticketCreateBody, true, ""), responses: []response{ok(201, "The ticket, with its messages.", ref("TicketDetail")), badRequest("Field errors.")}},
		{method: "GET", path: "/support/tickets/{id}/", tag: tagSupport, id: "showTicket", pathParam: idOf("ticket"), summary: "Show a ticket", who: "its requester, admins",
			responses: []response{ok(200, "The ticket, with the messages the caller may read.", ref("TicketDetail")), noTicket}},
		{method: "PUT", path: "/support/tickets/{id}/", tag: tagSupport, id: "replaceTicket", pathParam: idOf("ticket"), summary: "Edit a ticket", who: "its requester (subject, and closing it), admins (everything)",
			desc: "Admins' changes are audited as `ticket.update`.",
			body: bodyOf(ticketUpdateBody, true, ""), responses: []response{ok(200, "The ticket, with its messages.", ref("TicketDetail")), badRequest("Field errors; assigning to a non-admin: `{\"assigned_to\": [\"A ticket is assigned to an admin.\"]}`."), forbiddenWhen("The requester changing anything but the subject and closing."), noTicket}},
		{method: "PATCH", path: "/support/tickets/{id}/", tag: tagSupport, id: "updateTicket", pathParam: idOf("ticket"), summary: "Edit part of a ticket", who: "its requester (subject, and closing it), admins (everything)",
			body: bodyOf(ticketUpdateBody, true, "Any subset of the fields."), responses: []response{ok(200, "The ticket, with its messages.", ref("TicketDetail")), badRequest("Field errors."), forbiddenWhen("The requester changing anything but the subject and closing."), noTicket}},
		{method: "GET", path: "/support/tickets/{id}/messages/", tag: tagSupport, id: "listMessages", pathParam: idOf("ticket"), summary: "List a ticket's messages", who: "its requester, admins",
			desc:      fmt.Sprintf("A bare array, oldest first, at most %d items; no internal notes for the requester.", maxBareList),
			responses: []response{ok(200, "The messages.", arrayOf(ref("Message"), "")), noTicket}},
		{method: "POST", path: "/support/tickets/{id}/messages/", tag: tagSupport, id: "postMessage", pathParam: idOf("ticket"), summary: "Write on a ticket", who: "its requester (not on a CLOSED ticket), admins (internal notes too)",
			desc: "Admins' messages are audited as `ticket.reply` or `ticket.internal_note`.",
			body: bodyOf(messageCreateBody, true, ""), responses: []response{ok(201, "The message.", ref("Message")), badRequest("Field errors; the requester on a CLOSED ticket: `{\"non_field_errors\": [\"This ticket is closed; open a new one.\"]}`."), forbiddenWhen("An internal note by a non-admin: `Only admins write internal notes.`"), noTicket}},

		// site content
		{method: "GET", path: "/content/", tag: tagContent, id: "listPages", paginated: true, access: optionally, summary: "List site pages", who: "anyone: published pages; admins all",
			desc:      "Newest first.",
			params:    []*oaParameter{queryParam("kind", enum(c.PageKinds, ""), "Only pages of this kind; another value is 400.")},
			responses: []response{ok(200, "A page of site pages.", ref("PaginatedSitePages")), badRequest(choiceErr("`kind`"))}},
		{method: "POST", path: "/content/", tag: tagContent, id: "createPage", summary: "Create a site page", who: admins,
			desc: "Audited as `page.create`.",
			body: bodyOf(pageBody, true, ""), responses: []response{ok(201, "The page.", ref("SitePage")), badRequest("Field errors; a taken slug: `{\"slug\": [\"A record with this value already exists.\"]}`."), forbiddenWhen("Not an admin (checked before the body is read).")}},
		{method: "GET", path: "/content/{slug}/", tag: tagContent, id: "showPage", access: optionally, pathParam: "The page's slug.", summary: "Show a site page", who: "anyone: a published page; admins any",
			responses: []response{ok(200, "The page.", ref("SitePage")), noPage}},
		{method: "PUT", path: "/content/{slug}/", tag: tagContent, id: "replacePage", pathParam: "The page's slug.", summary: "Edit a site page", who: admins,
			desc: "Audited as `page.update`.",
			body: bodyOf(pageBody, true, ""), responses: []response{ok(200, "The page.", ref("SitePage")), badRequest("Field errors."), forbiddenWhen("Not an admin (for a published page; a draft is 404)."), noPage}},
		{method: "PATCH", path: "/content/{slug}/", tag: tagContent, id: "updatePage", pathParam: "The page's slug.", summary: "Edit part of a site page", who: admins,
			desc: "Audited as `page.update`.",
			body: bodyOf(pageBody, true, "Any subset of the fields."), responses: []response{ok(200, "The page.", ref("SitePage")), badRequest("Field errors."), forbiddenWhen("Not an admin (for a published page; a draft is 404)."), noPage}},
		{method: "DELETE", path: "/content/{slug}/", tag: tagContent, id: "deletePage", pathParam: "The page's slug.", summary: "Delete a site page", who: admins,
			desc:      "Audited as `page.delete`.",
			responses: []response{noContent("Deleted."), forbiddenWhen("Not an admin (for a published page; a draft is 404)."), noPage}},

		// audit log
		{method: "GET", path: "/audit-log/", tag: tagAudit, id: "listAudit", paginated: true, summary: "List audit rows", who: admins,
			desc:      "Newest first.",
			params:    []*oaParameter{queryParam("action", str(""), "An action (`payout.mark_paid`), or a prefix ending in `.` (`payout.`)."), queryParam("actor", str(""), "Only rows of this actor (an id)."), queryParam("target", str(""), "Only rows about this target (`collection/id`).")},
			responses: []response{ok(200, "A page of audit rows.", ref("PaginatedAuditRows")), forbiddenWhen("Not an admin.")}},

		// this description
		{method: "GET", path: openAPIPath, tag: tagOpenAPI, id: "openAPI", access: public, summary: "This OpenAPI description", who: "anyone",
			desc:      "Rendered for people at `/docs/`.",
			responses: []response{ok(200, "The OpenAPI 3.1 document.", ref("OpenAPIDocument"))}},
	}
}
