package hooks

// Temporary: each is replaced by its capability's file.

func bindTokenRoutes(public group)        {}
func bindUserRoutes(public, authed group) {}
func bindUseRoutes(authed group)          {}
func bindPointsRoutes(authed group)       {}
