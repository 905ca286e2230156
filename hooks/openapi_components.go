package hooks

import (
	"fmt"

	c "toolbase/collections"
)

func openAPISchemas() *ordered[*schema] {
	s := &ordered[*schema]{}
	created := dateTime("When it was created.")
	updated := dateTime("When it last changed.")
	nullID := func(what string) *schema { return str(what).null() }
	nullTime := func(what string) *schema { return dateTime(what).null() }

	// errors
	s.set("Detail", object("DRF's error body.", req("detail", str("What went wrong, in words."))))
	s.set("TokenError", viewOf(tokenError{}, "A refused token (SimpleJWT's body).", map[string]*schema{
		"detail": d("`" + msgTokenInvalid + "`."), "code": enum([]string{"token_not_valid"}, ""),
	}))
	fieldErrors := object("DRF's validation errors: each invalid field with its messages; `non_field_errors` for errors of the whole body. "+
		"Nested objects' errors are nested (`{\"profile\": {\"website\": [\"Enter a valid URL.\"]}}`).",
		opt("non_field_errors", arrayOf(str(""), "Errors of the body as a whole.")))
	fieldErrors.AdditionalProperties = oneOf("", arrayOf(str(""), ""), &schema{Type: "object", AdditionalProperties: arrayOf(str(""), "")})
	fieldErrors.example(map[string][]string{"name": {"This field is required."}, "points_cost": {"A valid integer is required."}})
	s.set("FieldErrors", fieldErrors)
	s.set("AuthError", object("A refused or missing credential.",
		req("detail", str("")),
		opt("code", enum([]string{"token_not_valid"}, "Present for a bad or expired token."))))
	s.set("ValidationError", oneOf("Field errors; or `{\"detail\"}` when the body could not be read at all "+
		"(`JSON parse error - the body is not valid JSON.`, `Malformed form data.`).", ref("FieldErrors"), ref("Detail")))
	s.set("InsufficientPoints", object("The DRF API's answer to a use the caller cannot afford.",
		req("non_field_errors", arrayOf(enum([]string{"Insufficient points"}, ""), "")),
		req("required", integer("The tool's cost.")),
		req("available", integer("The caller's balance."))))
	s.set("InvalidRole", object("The DRF API's answer to a missing or unknown role.", req("error", enum([]string{"Invalid role"}, ""))))

	// tokens
	s.set("TokenPair", viewOf(tokenPair{}, "", map[string]*schema{
		"access": d("A PocketBase auth token of the user (HS256; claims `type: \"auth\"`, `id`, `collectionId`, `exp`, plus SimpleJWT's " +
			"`token_type: \"access\"`, `user_id`, `jti`, `iat`). Lifetime `TOOLBASE_ACCESS_TOKEN_TTL` (default 60m)."),
		"refresh": d("toolbase's refresh JWT (HS256; claims `token_type: \"refresh\"`, `jti`, `user_id`, `iat`, `exp`), usable once. " +
			"Lifetime `TOOLBASE_REFRESH_TOKEN_TTL` (default 24h). It dies when the user's password or email changes."),
	}))

	// users
	roles := enum(c.Roles, "")
	s.set("Profile", viewOf(userProfileView{}, "The user's profile.", map[string]*schema{
		"website":             d("An http(s) URL, or `\"\"`.").uriOrEmpty(),
		"skills":              d("A list of strings."),
		"email_notifications": d("Default true."),
	}))
	s.set("User", viewOf(userView{}, "A user (detail, `me`, `register`, `update_me`, `change_role`).", map[string]*schema{
		"role":           roles,
		"email":          d("").format("email"),
		"avatar":         str("Path of the avatar file (`/api/files/<collectionId>/<id>/<file>`), or null. Avatars are uploaded through the records API.").null(),
		"api_key":        &schema{Type: "null", Description: "Always null: keys are their own resource (`/api/tools/api-keys/`)."},
		"points_balance": d("Points to spend on tools."),
		"total_revenue":  d("A creator's lifetime earnings, net of the platform fee."),
		"total_payouts":  d("What was paid out of it."),
		"profile":        ref("Profile"),
		"created_at":     created, "updated_at": updated,
	}))
	s.set("UserListItem", viewOf(userListView{}, "A user in the list of `users/`.", map[string]*schema{
		"role": roles, "created_at": created,
	}))
	s.set("PaginatedUsers", paginated("UserListItem", "A page of users, newest first."))
	s.set("Client", viewOf(clientView{}, "A user in the DRF API's client representation (`clients/`, `add_points/`, `deduct_points/`).", map[string]*schema{
		"created_at": created,
	}))
	s.set("ToolCreator", viewOf(creatorView{}, "A user in the DRF API's tool-creator representation.", map[string]*schema{
		"api_key": &schema{Type: "null", Description: "Always null."}, "created_at": created,
	}))
	s.set("PointsBalance", object("",
		req("points_balance", integer("")),
		req("can_use_tools", boolean("True for a positive balance, and always for admins (who use tools free)."))))
	s.set("RevenueStats", object("",
		req("total_revenue", integer("Lifetime earnings, net of the platform fee.")),
		req("total_payouts", integer("What was paid out.")),
		req("pending_balance", integer("`total_revenue − total_payouts`."))))

	// points and ledger
	s.set("Transaction", viewOf(transactionView{}, "A ledger row (append-only).", map[string]*schema{
		"account":       enum([]string{c.AccountPoints, c.AccountRevenue}, "`points`: spendable points; `revenue`: a creator's earnings."),
		"kind":          enum(c.Kinds, ""),
		"amount":        d("Signed: what the row adds to the account."),
		"balance_after": d("The account's balance right after this row."),
		"usage":         nullID("The usage the row belongs to, or null."),
		"actor":         nullID("The admin who made a GRANT, DEDUCT, ADJUSTMENT or PAYOUT row, or null."),
		"created_at":    created,
	}))
	s.set("PaginatedTransactions", paginated("Transaction", "A page of ledger rows, newest first."))

	// tools
	s.set("Tool", viewOf(toolView{}, "A tool (detail).", map[string]*schema{
		"category":          enum(c.Categories, ""),
		"status":            enum(c.Statuses, ""),
		"creator":           d("The creator's user id."),
		"creator_name":      d("The creator's full name: first and last name joined by a space and stripped (Django's `get_full_name()`), `\"\"` when both are empty; never the username."),
		"points_cost":       d("Points per use."),
		"api_endpoint":      d("Where a use is POSTed, or `\"\"` (see the use route).").uriOrEmpty(),
		"api_documentation": d("Or `\"\"`.").uriOrEmpty(),
		"total_uses":        d("Uses not refunded."),
		"total_revenue":     d("Gross: the sum of its usages' `points_spent` (not refunded)."),
		"average_rating":    d("0–5, rounded to 2 decimals."),
		"rating_count":      d("How many reviews (an addition to the DRF API's fields)."),
		"moderation_note": d("An admin's reason for the last move to DRAFT or SUSPENDED (toolbase's extension), `\"\"` once the tool is approved or " +
			"submitted again. Shown to the tool's creator and admins; `\"\"` for anyone else."),
		"created_at": created, "updated_at": updated,
	}))
	s.set("ToolListItem", viewOf(toolListView{}, "A tool in the list of `tools/`: the DRF API's subset, plus `creator`.", map[string]*schema{
		"category": enum(c.Categories, ""), "status": enum(c.Statuses, ""), "created_at": created,
	}))
	s.set("PaginatedTools", paginated("ToolListItem", "A page of tools."))
	// use and usage
	s.set("Usage", viewOf(usageView{}, "A use of a tool.", map[string]*schema{
		"tool":              d("The tool's id."),
		"user":              d("The id of the user who used it."),
		"api_key":           nullID("The id of the API key the use came through, or null."),
		"input_data":        anyJSON("The `input_data` sent (a JSON object)."),
		"output_data":       anyJSON("What the tool answered: a local tool's `{\"status\": \"accepted\"}`; a remote tool's JSON answer; null while PENDING or when the call failed."),
		"points_spent":      d("What the use cost (0 for admins and a creator's own tools)."),
		"execution_time":    d("A DRF duration, `\"00:00:00.100000\"`."),
		"execution_time_ms": d("The same in milliseconds."),
		"success":           d("True once the use succeeded."),
		"state":             enum(c.UsageStates, "PENDING while a remote tool's call runs; FAILED calls are refunded."),
		"error_message":     d("Why a call failed, or `\"\"`."),
		"created_at":        created,
	}))
	s.set("PaginatedUsage", paginated("Usage", "A page of usage, newest first."))
	s.set("UseResult", viewOf(useResponse{}, "The DRF API's use answer `{usage_id, output_data, points_spent, remaining_points}`, with the usage's fields.", map[string]*schema{
		"usage_id":          d("The usage's id (also `id`)."),
		"remaining_points":  d("The caller's balance right after the use (after the refund of a failed call)."),
		"api_key":           nullID("The id of the API key the use came through, or null."),
		"input_data":        anyJSON("The `input_data` sent."),
		"output_data":       anyJSON("A local tool's `{\"status\": \"accepted\"}`; a remote tool's JSON answer; null when the call failed."),
		"state":             enum(c.UsageStates, ""),
		"execution_time":    d("A DRF duration."),
		"execution_time_ms": d("The remote call's time in milliseconds (0 for a local tool)."),
		"error_message":     d("Why a remote call failed (it was refunded), or `\"\"`."),
		"created_at":        created,
	}))
	s.set("SigningSecret", object("", req("signing_secret", str("`whsec_` and 43 characters: the HMAC key of the `X-Toolbase-Signature` header of the tool's calls. Shown this once."))))

	// keys
	s.set("APIKey", viewOf(keyView{}, "An API key.", map[string]*schema{
		"user":      d("The owner's id."),
		"tool":      nullID("The tool the key is scoped to, or null (the key can do whatever its owner can, except manage keys)."),
		"tool_name": str("The scoped tool's name, or null.").null(),
		"api_key": d("The full secret (`tk_` and 43 characters) only in the answers of create and regenerate (sent with " +
			"`Cache-Control: no-store`); everywhere else the masked prefix `tk_AbCdEfGh…`."),
		"key_prefix":               d("The secret's first 11 characters, `tk_AbCdEfGh`."),
		"daily_limit":              d("Uses per UTC day through the key."),
		"monthly_limit":            d("Uses per UTC month through the key."),
		"daily_usage":              d("Uses in the current UTC day."),
		"monthly_usage":            d("Uses in the current UTC month."),
		"expires_at":               nullTime("When the key stops working, or null."),
		"previous_key_valid_until": nullTime("While a replaced secret is in its grace period (see regenerate), when it stops; else null."),
		"created_at":               created, "updated_at": updated,
		"last_used": nullTime("When the key was last used (fresh to the minute), or null."),
	}))
	s.set("PaginatedAPIKeys", paginated("APIKey", "A page of API keys, newest first."))
	// feedback
	s.set("Feedback", viewOf(feedbackView{}, "A review of a tool.", map[string]*schema{
		"tool":      d("The tool's id."),
		"tool_name": d("The tool's name."),
		"user":      d("The reviewer's id."),
		"user_name": d("The reviewer's full name: first and last name joined by a space and stripped (Django's `get_full_name()`), `\"\"` when both are empty; never the username."),
		"rating":    integer("From 1 to 5.").within(c.MinRating, c.MaxRating),
		"comment":   d("Or `\"\"`."),
		"is_public": d("A public review is shown to every user (and in the tool's `feedback/`); a private one only to its author, " +
			"the tool's creator and admins."),
		"created_at": created, "updated_at": updated,
	}))
	s.set("PaginatedFeedback", paginated("Feedback", "A page of reviews, newest first."))
	// statistics
	day := func(desc string) *schema { return d(desc).format("date") }
	s.set("StatsRange", viewOf(rangeView{}, "The range the numbers cover: the days asked for, widened to whole buckets.", map[string]*schema{
		"from":     day("The first day of the first bucket, `YYYY-MM-DD`."),
		"to":       day("The last day of the last bucket (inclusive), `YYYY-MM-DD`."),
		"interval": enum(intervals, ""),
	}))
	seriesMore := map[string]*schema{
		"period":       day("The bucket's first day, `YYYY-MM-DD` (a week's Monday, a month's 1st)."),
		"uses":         d("Uses created in the bucket."),
		"unique_users": d("How many users made them."),
		"points_spent": d("What they cost."),
	}
	s.set("SeriesPoint", viewOf(seriesPoint{}, "One bucket of a series.", seriesMore))
	platformMore := map[string]*schema{
		"points_granted": d("Points granted by admins in the bucket (GRANT ledger rows)."),
		"platform_fees":  d("The platform's fees in the bucket: what its uses cost minus their creators' earnings (refunded uses left out)."),
		"new_users":      d("Users who signed up in the bucket."),
	}
	for k, v := range seriesMore {
		platformMore[k] = v
	}
	s.set("PlatformSeriesPoint", viewOf(platformPoint{}, "One bucket of the platform's series.", platformMore))
	s.set("ToolUse", viewOf(toolUse{}, "A tool's share of the range's usage.", map[string]*schema{
		"tool":         d("The tool's id."),
		"tool_name":    d("The tool's name."),
		"uses":         d("Uses in the range."),
		"points_spent": d("What they cost."),
	}))
	s.set("CreatorUse", viewOf(creatorUse{}, "A creator's share of the range's usage: the uses of its tools.", map[string]*schema{
		"creator":       d("The creator's id."),
		"creator_name":  d("The creator's full name: first and last name joined by a space and stripped (Django's `get_full_name()`), `\"\"` when both are empty; never the username."),
		"creator_email": d("").format("email"),
		"uses":          d("Uses of its tools in the range."),
		"points_spent":  d("What they cost."),
	}))
	series := arrayOf(ref("SeriesPoint"), "Every bucket of the range, in order; empty ones with zeros.")
	statsRange := ref("StatsRange")
	byTool := fmt.Sprintf("Most uses first, then most points, then id; at most %d.", maxBareList)
	s.set("ToolStats", viewOf(ToolStatsBody{}, "A tool's statistics. The four counters of the DRF API's body are the tool's lifetime "+
		"counters, as on the tool; the other numbers cover the range.", map[string]*schema{
		"tool":             d("The tool's id."),
		"tool_name":        d("The tool's name."),
		"total_uses":       d("Lifetime: uses not refunded."),
		"total_revenue":    d("Lifetime, gross: the points spent on it (not refunded)."),
		"average_rating":   d("Lifetime: the mean of all its reviews, public and private, 0–5 rounded half up to 2 decimals; 0 without reviews."),
		"rating_count":     d("Lifetime: how many reviews."),
		"unique_users":     d("How many users used it in the range."),
		"creator_earnings": d("The creator's net share of the range's uses (their EARNING ledger rows)."),
		"recent_usage": arrayOf(ref("Usage"), fmt.Sprintf("Its last %d uses that the caller may see (the usage list rule), newest first, "+
			"whatever the range.", statsRecentUsage)),
		"series": series,
		"range":  statsRange,
	}))
	s.set("ClientStats", viewOf(ClientStatsBody{}, "A client's usage statistics: its own uses in the range.", map[string]*schema{
		"role":         enum([]string{c.RoleClient}, ""),
		"total_uses":   d("Uses in the range."),
		"points_spent": d("What they cost."),
		"by_tool":      arrayOf(ref("ToolUse"), "The tools it used in the range. "+byTool),
		"series":       series,
		"range":        statsRange,
	}))
	s.set("CreatorStats", viewOf(CreatorStatsBody{}, "A creator's usage statistics: the uses of its own tools in the range.", map[string]*schema{
		"role":             enum([]string{c.RoleToolCreator}, ""),
		"total_uses":       d("Uses of its tools in the range."),
		"total_revenue":    d("Gross: the points spent on them."),
		"creator_earnings": d("Net: its share of them (its EARNING ledger rows)."),
		"unique_users":     d("How many users made them."),
		"by_tool":          arrayOf(ref("ToolUse"), "Every own tool, unused ones with zeros. "+byTool),
		"series":           series,
		"range":            statsRange,
	}))
	s.set("PlatformStats", viewOf(PlatformStatsBody{}, "The platform's statistics (an admin's).", map[string]*schema{
		"role":           enum([]string{c.RoleAdmin}, ""),
		"total_uses":     d("Uses in the range."),
		"points_spent":   d("What they cost."),
		"platform_fees":  d("The platform's fees: `points_spent` minus the creators' earnings of the same uses (their EARNING ledger rows); refunded uses left out."),
		"points_granted": d("Points granted by admins in the range (GRANT ledger rows)."),
		"new_users":      d("Users who signed up in the range."),
		"top_tools": arrayOf(ref("ToolUse"), fmt.Sprintf("The %d most used tools of the range: most uses first, then most points, then id.",
			statsTopN)),
		"top_creators": arrayOf(ref("CreatorUse"), fmt.Sprintf("The %d creators with the most points spent on their tools in the range: "+
			"most points first, then most uses, then id.", statsTopN)),
		"series": arrayOf(ref("PlatformSeriesPoint"), "Every bucket of the range, in order; empty ones with zeros."),
		"range":  statsRange,
	}))

	// payouts
	s.set("Payout", viewOf(payoutView{}, "A payout request.", map[string]*schema{
		"creator":      d("The creator's id."),
		"status":       enum(c.PayoutStatuses, ""),
		"method":       d("How the creator wants to be paid, in its words."),
		"reference":    d("The external payment's reference (set by `mark_paid/`)."),
		"note":         d("The admin's note."),
		"processed_by": nullID("The admin who last moved it, or null."),
		"processed_at": nullTime("When it was last moved, or null."),
		"created_at":   created, "updated_at": updated,
	}))
	s.set("PaginatedPayouts", paginated("Payout", "A page of payouts, newest first."))
	// refunds
	s.set("Refund", viewOf(refundView{}, "A refund request.", map[string]*schema{
		"usage":             d("The usage's id."),
		"requester":         d("The payer's id."),
		"status":            enum(c.RefundStatuses, ""),
		"amount":            d("Points credited back to the payer: the usage's `points_spent`."),
		"creator_reversal":  d("What was taken back from the creator's revenue (set on approval)."),
		"platform_absorbed": d("The part of the creator's earning already paid out, which the platform absorbs (set on approval)."),
		"note":              d("The admin's note."),
		"processed_by":      nullID("The admin who decided, or null."),
		"processed_at":      nullTime("When it was decided, or null."),
		"created_at":        created, "updated_at": updated,
	}))
	s.set("PaginatedRefunds", paginated("Refund", "A page of refunds, newest first."))
	// support
	ticketMore := map[string]*schema{
		"requester":   d("The id of the user who opened it."),
		"status":      enum(c.TicketStatuses, ""),
		"priority":    enum(c.TicketPriorities, ""),
		"assigned_to": nullID("The admin it is assigned to, or null."),
		"created_at":  created, "updated_at": updated,
	}
	s.set("Ticket", viewOf(ticketView{}, "A support ticket (in lists).", ticketMore))
	detailMore := map[string]*schema{"messages": arrayOf(ref("Message"), "The messages the caller may read, oldest first (no internal notes for the requester).")}
	for k, v := range ticketMore {
		detailMore[k] = v
	}
	s.set("TicketDetail", viewOf(ticketDetailView{}, "A support ticket with its messages.", detailMore))
	s.set("PaginatedTickets", paginated("Ticket", "A page of tickets, newest first."))
	s.set("Message", viewOf(messageView{}, "A message on a ticket.", map[string]*schema{
		"author":          nullID("The author's id, or null for a superuser's answer."),
		"author_name":     d("The author's name (`Support` for a superuser or a deleted author)."),
		"author_is_staff": d("True when an admin (or a superuser) wrote it."),
		"internal":        d("An internal note: admins only."),
		"created_at":      created,
	}))
	// site content
	s.set("SitePage", viewOf(pageView{}, "A site page or announcement.", map[string]*schema{
		"kind":       enum(c.PageKinds, ""),
		"body":       d("HTML written by admins, served as is."),
		"published":  d("Published pages are public."),
		"updated_by": nullID("The admin who last wrote it, or null (a superuser)."),
		"created_at": created, "updated_at": updated,
	}))
	s.set("PaginatedSitePages", paginated("SitePage", "A page of site pages, newest first."))
	// audit
	s.set("AuditRow", viewOf(auditView{}, "An audit row.", map[string]*schema{
		"actor":       nullID("The acting user's (or superuser's) id, or null for toolbase itself or the CLI."),
		"actor_email": d("The actor's email then; `cli:<OS user>` for the CLI."),
		"actor_role":  d("The actor's role then: a user role, `SUPERUSER`, `CLI`, or `\"\"` for toolbase itself."),
		"action": d("`payout.approve|reject|mark_paid`, `refund.approve|reject`, `ticket.update`, `ticket.reply`, `ticket.internal_note`, " +
			"`page.create|update|delete`, `user.role`, `tool.status`, `points.grant|deduct|adjust`."),
		"target":     d("`collection/id` of what was acted on."),
		"before":     anyJSON("The relevant fields before, or null."),
		"after":      anyJSON("The relevant fields after, or null."),
		"created_at": created,
	}))
	s.set("PaginatedAuditRows", paginated("AuditRow", "A page of audit rows, newest first."))

	s.set("OpenAPIDocument", &schema{Type: "object", Description: "An OpenAPI 3.1 document."})
	return s
}
