package collections

import "github.com/pocketbase/pocketbase/core"

// Schema is what the running code expects of each of toolbase's collections:
// its API rules and its fields, in order. The migrations state the same as
// frozen literals (they must replay identically forever, whatever this file
// later says); a drift test migrates an empty database and compares the two,
// so that a rule changed here without a migration (or the reverse) fails.
var Schema = map[string]Spec{
	Users: {
		Rules: Rules{List: r(UsersViewRule), View: r(UsersViewRule), Create: r(UsersCreateRule), Update: r(UsersUpdateRule), Delete: r(UsersDeleteRule), Manage: r(UsersManageRule), Auth: r(UsersAuthRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			hidden(UserPassword, "password"),
			hidden("tokenKey", "text"),
			f(UserEmail, "email"),
			f("emailVisibility", "bool"),
			f("verified", "bool"),
			f(UserUsername, "text"),
			f(UserFirstName, "text"),
			f(UserLastName, "text"),
			f(UserRole, "select"),
			f(UserPhoneNumber, "text"),
			f(UserCompanyName, "text"),
			f(UserBio, "text"),
			f(UserAvatar, "file"),
			f(UserWebsite, "url"),
			f(UserLocation, "text"),
			f(UserSkills, "json"),
			f(UserEmailNotifications, "bool"),
			f(UserMarketingEmails, "bool"),
			f(UserPointsBalance, "number"),
			f(UserTotalRevenue, "number"),
			f(UserTotalPayouts, "number"),
			hidden(UserDeactivated, "bool"),
			hidden(FieldLegacyID, "number"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	Tools: {
		Rules: Rules{List: r(ToolsViewRule), View: r(ToolsViewRule), Create: r(ToolsCreateRule), Update: r(ToolsUpdateRule), Delete: r(ToolsDeleteRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(ToolName, "text"),
			f(ToolDescription, "text"),
			f(ToolCategory, "select"),
			f(ToolStatus, "select"),
			f(ToolCreator, "relation"),
			f(ToolPointsCost, "number"),
			f(ToolAPIEndpoint, "url"),
			f(ToolAPIDocumentation, "url"),
			f(ToolTags, "json"),
			f(ToolVersion, "text"),
			f(ToolTotalUses, "number"),
			f(ToolTotalRevenue, "number"),
			f(ToolAverageRating, "number"),
			f(ToolRatingCount, "number"),
			f(ToolTimeoutSeconds, "number"),
			hidden(ToolSigningSecret, "text"),
			hidden(FieldLegacyID, "number"),
			f(ToolModerationNote, "text"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	ToolAPIKeys: {
		Rules: Rules{List: r(APIKeysViewRule), View: r(APIKeysViewRule), Update: r(APIKeysUpdateRule), Delete: r(APIKeysViewRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(APIKeyName, "text"),
			f(APIKeyPrefix, "text"),
			f(APIKeyUser, "relation"),
			f(APIKeyTool, "relation"),
			f(APIKeyIsActive, "bool"),
			f(APIKeyDailyLimit, "number"),
			f(APIKeyMonthlyLimit, "number"),
			f(APIKeyDailyUsage, "number"),
			f(APIKeyMonthlyUsage, "number"),
			f(APIKeyLastUsed, "date"),
			f(APIKeyExpiresAt, "date"),
			hidden(APIKeyHash, "text"),
			hidden(APIKeyPreviousHash, "text"),
			f(APIKeyPreviousUntil, "date"),
			f(APIKeyUsageDay, "text"),
			f(APIKeyUsageMonth, "text"),
			hidden(FieldLegacyID, "number"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	ToolUsage: {
		Rules: Rules{List: r(UsageViewRule), View: r(UsageViewRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(UsageTool, "relation"),
			f(UsageUser, "relation"),
			f(UsageAPIKey, "relation"),
			f(UsagePointsSpent, "number"),
			f(UsageSuccess, "bool"),
			f(UsageExecutionTime, "number"),
			f(UsageInputData, "json"),
			f(UsageOutputData, "json"),
			f(UsageErrorMessage, "text"),
			f(UsageIdempotencyKey, "text"),
			f(UsageRemainingPoints, "number"),
			f(UsageCreatorEarning, "number"),
			f(UsageRefundedAt, "date"),
			f(UsageState, "select"),
			hidden(FieldLegacyID, "number"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	PointTransactions: {
		Rules: Rules{List: r(TransactionsViewRule), View: r(TransactionsViewRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(TxUser, "relation"),
			f(TxAccount, "select"),
			f(TxKind, "select"),
			f(TxAmount, "number"),
			f(TxBalanceAfter, "number"),
			f(TxUsage, "relation"),
			f(TxActor, "relation"),
			f(TxNote, "text"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	ToolFeedback: {
		Rules: Rules{List: r(FeedbackViewRule), View: r(FeedbackViewRule), Create: r(FeedbackCreateRule), Update: r(FeedbackUpdateRule), Delete: r(FeedbackDeleteRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(FeedbackTool, "relation"),
			f(FeedbackUser, "relation"),
			f(FeedbackRating, "number"),
			f(FeedbackComment, "text"),
			f(FeedbackIsPublic, "bool"),
			hidden(FieldLegacyID, "number"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	UsedRefreshTokens: {
		Rules: Rules{},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(UsedRefreshJTI, "text"),
			f(UsedRefreshUser, "text"),
			f(UsedRefreshExpiresAt, "date"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	Payouts: {
		Rules: Rules{List: r(PayoutsViewRule), View: r(PayoutsViewRule), Create: r(PayoutsCreateRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(PayoutCreator, "relation"),
			f(PayoutAmount, "number"),
			f(PayoutStatus, "select"),
			f(PayoutMethod, "text"),
			f(PayoutReference, "text"),
			f(PayoutNote, "text"),
			f(PayoutProcessedBy, "relation"),
			f(PayoutProcessedAt, "date"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	Refunds: {
		Rules: Rules{List: r(RefundsViewRule), View: r(RefundsViewRule), Create: r(RefundsCreateRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(RefundUsage, "relation"),
			f(RefundRequester, "relation"),
			f(RefundReason, "text"),
			f(RefundStatus, "select"),
			f(RefundAmount, "number"),
			f(RefundCreatorReversal, "number"),
			f(RefundPlatformAbsorbed, "number"),
			f(RefundNote, "text"),
			f(RefundProcessedBy, "relation"),
			f(RefundProcessedAt, "date"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	SupportTickets: {
		Rules: Rules{List: r(TicketsViewRule), View: r(TicketsViewRule), Create: r(TicketsCreateRule), Update: r(TicketsUpdateRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(TicketRequester, "relation"),
			f(TicketSubject, "text"),
			f(TicketStatus, "select"),
			f(TicketPriority, "select"),
			f(TicketAssignedTo, "relation"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	TicketMessages: {
		Rules: Rules{List: r(MessagesViewRule), View: r(MessagesViewRule), Create: r(MessagesCreateRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(MessageTicket, "relation"),
			f(MessageAuthor, "relation"),
			f(MessageBody, "text"),
			f(MessageInternal, "bool"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	SitePages: {
		Rules: Rules{List: r(PagesViewRule), View: r(PagesViewRule), Create: r(PagesWriteRule), Update: r(PagesWriteRule), Delete: r(PagesWriteRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(PageSlug, "text"),
			f(PageTitle, "text"),
			f(PageBody, "editor"),
			f(PageKind, "select"),
			f(PagePublished, "bool"),
			f(PageUpdatedBy, "relation"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
	AuditLog: {
		Rules: Rules{List: r(AuditViewRule), View: r(AuditViewRule)},
		Fields: []FieldSpec{
			f(FieldID, "text"),
			f(AuditActor, "text"),
			f(AuditActorEmail, "text"),
			f(AuditActorRole, "text"),
			f(AuditAction, "text"),
			f(AuditTarget, "text"),
			f(AuditBefore, "json"),
			f(AuditAfter, "json"),
			f(FieldCreatedAt, "autodate"),
			f(FieldUpdatedAt, "autodate"),
		},
	},
}

// Spec is one collection's API rules and fields.
type Spec struct {
	Rules  Rules
	Fields []FieldSpec
}

// Rules are a collection's API rules; nil is superuser-only. Manage and Auth
// apply to auth collections only.
type Rules struct {
	List, View, Create, Update, Delete, Manage, Auth *string
}

// FieldSpec is a field's name, PocketBase type and whether it is hidden.
type FieldSpec struct {
	Name, Type string
	Hidden     bool
}

func r(rule string) *string { return &rule }

func f(name, typ string) FieldSpec { return FieldSpec{Name: name, Type: typ} }

func hidden(name, typ string) FieldSpec { return FieldSpec{Name: name, Type: typ, Hidden: true} }

// RulesOf returns the API rules of col as stored.
func RulesOf(col *core.Collection) Rules {
	rules := Rules{List: col.ListRule, View: col.ViewRule, Create: col.CreateRule, Update: col.UpdateRule, Delete: col.DeleteRule}
	if col.IsAuth() {
		rules.Manage, rules.Auth = col.ManageRule, col.AuthRule
	}
	return rules
}
