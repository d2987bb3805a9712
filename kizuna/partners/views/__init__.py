"""Pages of the partner program: validate, check permissions, call a service, redirect.

- profiles: the partner portal, profile editing, public profile and logo
- achievements: submission, the achievement page and its forms, staff review queue
- staff: the staff list of partners, one partner's page, contributions staff record
- program: program settings (badge catalog, contribution kinds)
- evangelists: public list, nominations, requests, the evangelist's inbox, staff page
- access: the permission checks every page makes
"""
