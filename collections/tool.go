package collections

import "github.com/pocketbase/pocketbase/core"

// Fields of the tools collection.
const (
	ToolName             = "name"
	ToolDescription      = "description"
	ToolCategory         = "category"
	ToolStatus           = "status"
	ToolCreator          = "creator"
	ToolPointsCost       = "points_cost"
	ToolAPIEndpoint      = "api_endpoint"
	ToolAPIDocumentation = "api_documentation"
	ToolTags             = "tags"
	ToolVersion          = "version"
	ToolTotalUses        = "total_uses"
	ToolTotalRevenue     = "total_revenue"
	ToolAverageRating    = "average_rating"
	ToolRatingCount      = "rating_count"
	ToolTimeoutSeconds   = "timeout_seconds"
	ToolSigningSecret    = "signing_secret"
	ToolModerationNote   = "moderation_note"
)

// Tool categories, the values of tools.category.
const (
	CategoryAI           = "AI"
	CategoryProductivity = "PRODUCTIVITY"
	CategoryCreative     = "CREATIVE"
	CategoryDevelopment  = "DEVELOPMENT"
	CategoryBusiness     = "BUSINESS"
	CategoryOther        = "OTHER"
)

// Categories lists every tool category.
var Categories = []string{CategoryAI, CategoryProductivity, CategoryCreative, CategoryDevelopment, CategoryBusiness, CategoryOther}

// Tool statuses, the values of tools.status.
const (
	StatusDraft     = "DRAFT"
	StatusPending   = "PENDING"
	StatusActive    = "ACTIVE"
	StatusInactive  = "INACTIVE"
	StatusSuspended = "SUSPENDED"
)

// Statuses lists every tool status.
var Statuses = []string{StatusDraft, StatusPending, StatusActive, StatusInactive, StatusSuspended}

// Defaults and limits of a tool.
const (
	DefaultPointsCost  = 1
	DefaultVersion     = "1.0.0"
	MaxPointsCost      = 1e6
	DefaultToolTimeout = 30
	MinToolTimeout     = 1
	MaxToolTimeout     = 120
	// MaxModerationNoteChars bounds an admin's moderation note.
	MaxModerationNoteChars = 5000
)

// Tool is a typed proxy of a tools record.
type Tool struct {
	core.BaseRecordProxy
}

// AsTool wraps a tools record.
func AsTool(r *core.Record) *Tool {
	t := &Tool{}
	t.SetProxyRecord(r)
	return t
}

// Name returns the tool's name.
func (t *Tool) Name() string { return t.GetString(ToolName) }

// Status returns the moderation status.
func (t *Tool) Status() string { return t.GetString(ToolStatus) }

// Creator returns the id of the user who owns the tool.
func (t *Tool) Creator() string { return t.GetString(ToolCreator) }

// PointsCost returns the price of one use.
func (t *Tool) PointsCost() int64 { return t.GetInt64(ToolPointsCost) }

// APIEndpoint returns the URL toolbase calls to run the tool, if any.
func (t *Tool) APIEndpoint() string { return t.GetString(ToolAPIEndpoint) }

// TimeoutSeconds returns how long a call to the endpoint may take.
func (t *Tool) TimeoutSeconds() int64 { return t.GetInt64(ToolTimeoutSeconds) }

// SigningSecret returns the secret the endpoint's calls are signed with.
func (t *Tool) SigningSecret() string { return t.GetString(ToolSigningSecret) }

// ModerationNote returns an admin's reason for the last move to DRAFT or
// SUSPENDED ("" once approved or submitted again).
func (t *Tool) ModerationNote() string { return t.GetString(ToolModerationNote) }

// TotalUses returns the use counter.
func (t *Tool) TotalUses() int64 { return t.GetInt64(ToolTotalUses) }

// TotalRevenue returns the gross points spent on the tool.
func (t *Tool) TotalRevenue() int64 { return t.GetInt64(ToolTotalRevenue) }

// AverageRating returns the mean rating, rounded to 2 decimals.
func (t *Tool) AverageRating() float64 { return t.GetFloat(ToolAverageRating) }

// RatingCount returns the number of ratings.
func (t *Tool) RatingCount() int64 { return t.GetInt64(ToolRatingCount) }
