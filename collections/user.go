package collections

import "github.com/pocketbase/pocketbase/core"

// Fields of the users collection.
const (
	UserEmail              = "email"
	UserPassword           = "password"
	UserUsername           = "username"
	UserFirstName          = "first_name"
	UserLastName           = "last_name"
	UserRole               = "role"
	UserPhoneNumber        = "phone_number"
	UserCompanyName        = "company_name"
	UserBio                = "bio"
	UserAvatar             = "avatar"
	UserWebsite            = "website"
	UserLocation           = "location"
	UserSkills             = "skills"
	UserEmailNotifications = "email_notifications"
	UserMarketingEmails    = "marketing_emails"
	UserPointsBalance      = "points_balance"
	UserTotalRevenue       = "total_revenue"
	UserTotalPayouts       = "total_payouts"
	// UserDeactivated is Django's is_active = false: such a user cannot sign
	// in (UsersAuthRule) nor use its API keys. Hidden: superusers only.
	UserDeactivated = "deactivated"
)

// Roles, the values of users.role.
const (
	RoleClient      = "CLIENT"
	RoleToolCreator = "TOOL_CREATOR"
	RoleAdmin       = "ADMIN"
)

// Roles lists every role in the order the DRF API documents them.
var Roles = []string{RoleClient, RoleToolCreator, RoleAdmin}

// User is a typed proxy of a users record.
type User struct {
	core.BaseRecordProxy
}

// AsUser wraps a users record.
func AsUser(r *core.Record) *User {
	u := &User{}
	u.SetProxyRecord(r)
	return u
}

// Username returns the unique login name.
func (u *User) Username() string { return u.GetString(UserUsername) }

// FirstName returns the first name.
func (u *User) FirstName() string { return u.GetString(UserFirstName) }

// LastName returns the last name.
func (u *User) LastName() string { return u.GetString(UserLastName) }

// FullName returns "first last", or the username when both are empty.
func (u *User) FullName() string {
	name := u.FirstName()
	if last := u.LastName(); last != "" {
		if name != "" {
			name += " "
		}
		name += last
	}
	if name == "" {
		return u.Username()
	}
	return name
}

// Role returns the user's role.
func (u *User) Role() string { return u.GetString(UserRole) }

// IsAdmin reports whether the user has the ADMIN role.
func (u *User) IsAdmin() bool { return u.Role() == RoleAdmin }

// IsCreator reports whether the user has the TOOL_CREATOR role.
func (u *User) IsCreator() bool { return u.Role() == RoleToolCreator }

// PointsBalance returns the spendable points.
func (u *User) PointsBalance() int64 { return u.GetInt64(UserPointsBalance) }

// TotalRevenue returns the creator's lifetime net earnings.
func (u *User) TotalRevenue() int64 { return u.GetInt64(UserTotalRevenue) }

// TotalPayouts returns what the creator has been paid out.
func (u *User) TotalPayouts() int64 { return u.GetInt64(UserTotalPayouts) }

// PendingBalance returns earnings not yet paid out.
func (u *User) PendingBalance() int64 { return u.TotalRevenue() - u.TotalPayouts() }
