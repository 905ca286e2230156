package hooks

import (
	"net/url"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// --- representations -------------------------------------------------------

type userProfileView struct {
	Website            string   `json:"website"`
	Location           string   `json:"location"`
	Skills             []string `json:"skills"`
	EmailNotifications bool     `json:"email_notifications"`
	MarketingEmails    bool     `json:"marketing_emails"`
}

// userIdentity is what every representation of a user starts with.
type userIdentity struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func identityOf(r *core.Record) userIdentity {
	u := c.AsUser(r)
	return userIdentity{ID: r.Id, Email: r.Email(), Username: u.Username(), FirstName: u.FirstName(), LastName: u.LastName()}
}

// userView is the DRF API's detail (and /me) representation of a user. api_key is
// always null: keys are their own resource (/api/tools/api-keys/).
type userView struct {
	userIdentity
	Role          string          `json:"role"`
	PhoneNumber   string          `json:"phone_number"`
	CompanyName   string          `json:"company_name"`
	Bio           string          `json:"bio"`
	Avatar        any             `json:"avatar"`
	PointsBalance int64           `json:"points_balance"`
	APIKey        any             `json:"api_key"`
	TotalRevenue  int64           `json:"total_revenue"`
	TotalPayouts  int64           `json:"total_payouts"`
	Profile       userProfileView `json:"profile"`
	CreatedAt     any             `json:"created_at"`
	UpdatedAt     any             `json:"updated_at"`
}

func userViewOf(r *core.Record) any {
	u := c.AsUser(r)
	skills := r.GetStringSlice(c.UserSkills)
	if skills == nil {
		skills = []string{}
	}
	return userView{
		userIdentity:  identityOf(r),
		Role:          u.Role(),
		PhoneNumber:   r.GetString(c.UserPhoneNumber),
		CompanyName:   r.GetString(c.UserCompanyName),
		Bio:           r.GetString(c.UserBio),
		Avatar:        avatarURL(r),
		PointsBalance: u.PointsBalance(),
		TotalRevenue:  u.TotalRevenue(),
		TotalPayouts:  u.TotalPayouts(),
		Profile: userProfileView{
			Website:            r.GetString(c.UserWebsite),
			Location:           r.GetString(c.UserLocation),
			Skills:             skills,
			EmailNotifications: r.GetBool(c.UserEmailNotifications),
			MarketingEmails:    r.GetBool(c.UserMarketingEmails),
		},
		CreatedAt: rfc3339(r.GetDateTime(c.FieldCreatedAt)),
		UpdatedAt: rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
	}
}

// avatarURL is the path of the user's avatar file, or nil.
func avatarURL(r *core.Record) any {
	name := r.GetString(c.UserAvatar)
	if name == "" {
		return nil
	}
	return "/api/files/" + url.PathEscape(r.Collection().Id) + "/" + url.PathEscape(r.Id) + "/" + url.PathEscape(name)
}

// The DRF API's list representations of users: the identity, one field and
// created_at.
type (
	// userListView is the users list's.
	userListView struct {
		userIdentity
		Role      string `json:"role"`
		CreatedAt any    `json:"created_at"`
	}
	// clientView is the client representation.
	clientView struct {
		userIdentity
		PointsBalance int64 `json:"points_balance"`
		CreatedAt     any   `json:"created_at"`
	}
)

func userListViewOf(r *core.Record) any {
	return userListView{identityOf(r), c.AsUser(r).Role(), rfc3339(r.GetDateTime(c.FieldCreatedAt))}
}

func clientViewOf(r *core.Record) any {
	return clientView{identityOf(r), c.AsUser(r).PointsBalance(), rfc3339(r.GetDateTime(c.FieldCreatedAt))}
}

// creatorView is the DRF API's tool-creator representation (api_key null, as in userView).
type creatorView struct {
	userIdentity
	APIKey       any   `json:"api_key"`
	TotalRevenue int64 `json:"total_revenue"`
	TotalPayouts int64 `json:"total_payouts"`
	CreatedAt    any   `json:"created_at"`
}

func creatorViewOf(r *core.Record) any {
	u := c.AsUser(r)
	return creatorView{
		userIdentity: identityOf(r),
		TotalRevenue: u.TotalRevenue(), TotalPayouts: u.TotalPayouts(), CreatedAt: rfc3339(r.GetDateTime(c.FieldCreatedAt)),
	}
}
