package collections

import "github.com/pocketbase/pocketbase/core"

// Fields of the tool_feedback collection.
const (
	FeedbackTool     = "tool"
	FeedbackUser     = "user"
	FeedbackRating   = "rating"
	FeedbackComment  = "comment"
	FeedbackIsPublic = "is_public"
)

// Limits of a review.
const (
	MinRating       = 1
	MaxRating       = 5
	MaxCommentChars = 2000
)

// Feedback is a typed proxy of a tool_feedback record.
type Feedback struct {
	core.BaseRecordProxy
}

// AsFeedback wraps a tool_feedback record.
func AsFeedback(r *core.Record) *Feedback {
	f := &Feedback{}
	f.SetProxyRecord(r)
	return f
}

// Tool returns the id of the reviewed tool.
func (f *Feedback) Tool() string { return f.GetString(FeedbackTool) }

// User returns the id of the reviewer.
func (f *Feedback) User() string { return f.GetString(FeedbackUser) }

// Rating returns the 1–5 rating.
func (f *Feedback) Rating() int { return f.GetInt(FeedbackRating) }

// Comment returns the review text.
func (f *Feedback) Comment() string { return f.GetString(FeedbackComment) }

// IsPublic reports whether other users may read the review.
func (f *Feedback) IsPublic() bool { return f.GetBool(FeedbackIsPublic) }

// API rules of tool_feedback writes and of the statistics routes (issue 6).
// They sit here rather than in rules.go to keep that file's history to its
// owner; they follow its conventions (parenthesised mixed expressions).
const (
	// FeedbackCreateRule: a signed-in user writes its own review (user may be
	// left out: it is then the caller). Whether the user may review the tool at
	// all (a successful usage, not its own tool) is checked by a record hook,
	// on every surface.
	FeedbackCreateRule = `@request.auth.id != "" && (@request.body.user:isset = false || @request.body.user = @request.auth.id)`
	// FeedbackUpdateRule: only the author edits a review, and never moves it to
	// another tool or user.
	FeedbackUpdateRule = `@request.auth.id != "" && user = @request.auth.id` +
		` && @request.body.tool:changed = false && @request.body.user:changed = false`
	// FeedbackDeleteRule: the author, or an admin (moderation).
	FeedbackDeleteRule = `@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`
	// FeedbackScope narrows the list rule to the seed's feedback viewset:
	// own reviews, reviews of own tools, or all for admins.
	FeedbackScope = `@request.auth.id != "" && (user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`

	// ToolStatsRule: a tool's statistics are for its creator and admins.
	ToolStatsRule = `@request.auth.id != "" && (creator = @request.auth.id || @request.auth.role = "ADMIN")`
)

// UsageCreatorEarning is a field of tool_usage added for the statistics: the
// creator's EARNING for the use (0 for a free use), copied from the ledger in
// the use's own transaction. It belongs in usage.go; it sits here to keep
// that file to its owner.
const UsageCreatorEarning = "creator_earning"
