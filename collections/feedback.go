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
