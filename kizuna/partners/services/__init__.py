"""Every write of the partner program goes through here (DESIGN.md, rules of the house).

One module per part of the program; callers import from the module itself:

- profiles: partner profiles, the owner's yearly review, stale flags
- program: the badge catalog and the table of contribution kinds (program settings)
- achievements: submission, evidence, review decisions, public summaries
- work_images: screenshots of verified work, shown on the public page (at most 6)
- badges: badges earned from verified achievements inside the recency window
- rank: contribution points and the rank they give
- community_points: points earned by affiliated people's community activity, and the
  staff's table of which activity type earns which contribution kind
- evangelists: nominations, appointments, requests for an evangelist
- imports: carry-over of partners from the old program
- validation: errors shaped for both forms and the API

The seam for the community app is `rank.contribution_record`: when an activity of a member
affiliated with a partner is worth points, `community_points` (driven by community events
through partners.consumers) calls it with source "community" and one `external_id` per
activity and partner; calling it twice for one activity adds nothing.
"""
