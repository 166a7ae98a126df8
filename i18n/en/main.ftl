# hues — English (for visitors)
app-name = hues · Huế
app-tagline = Connecting residents with their city

nav-label = Main navigation
skip-to-content = Skip to main content
nav-home = Home
nav-report = Report
nav-alerts = Alerts
nav-map = Map
nav-me = Me

sync-online = Online
sync-offline = Offline
sync-waiting = { $count ->
    [0] No reports waiting
    [one] 1 report waiting to be sent
   *[other] { $count } reports waiting to be sent
}
sync-failed = { $count ->
    [one] 1 report refused
   *[other] { $count } reports refused
}
sync-last = Last synced: { $time }
sync-never = Never synced yet
sync-now = Sync now
sync-status-label = Sync status

home-title = Services
home-intro = Pick a service group. Groups not in this version yet are marked as such.
home-available = Available
home-not-yet = Not in this version yet
group-reports = Scene reports
group-reports-desc = Report a problem in the street, even with no signal.
group-warnings = Warnings
group-warnings-desc = Flood, storm and road-closure warnings.
group-essential = Essential services
group-essential-desc = Power, water, markets, ATMs near you.
group-transport = Transport
group-transport-desc = Buses, stations, parking.
group-education = Education
group-education-desc = Schools and enrolment.
group-health = Healthcare
group-health-desc = Hospitals, clinics, pharmacies.
group-heritage = Heritage & tourism
group-heritage-desc = Imperial City, royal tombs, hours, tickets.
group-planning = Land planning
group-planning-desc = Look up land-use plans.
group-procedures = Administrative procedures
group-procedures-desc = Find a procedure and track a dossier.

report-title = Report a problem
report-category = Category
report-category-choose = — Choose a category —
report-category-choose-value = — Choose —
report-no-categories = The category list is not loaded yet. Connect once to sync it.
report-description = Description
report-description-hint = What is wrong, and where? (up to 4,000 characters)
report-photos = Photos (up to 5)
report-photos-hint = Take or choose JPEG, PNG or WebP photos. They are shrunk and stripped of hidden data before sending.
report-add-photo = Add a photo
report-photo-adding = Processing the photo…
report-photo-n = Photo { $n }
report-photo-remove = Remove photo { $n }
report-photo-position = The photo records a position: { $place }
report-use-photo-position = Use the photo's position
report-too-many-photos = A report carries at most 5 photos.
report-location = Location
report-latitude = Latitude
report-longitude = Longitude
report-location-hint = Decimal degrees, e.g. 16.4637 and 107.5909
duplicates-title = Someone may have reported this already
duplicates-hint = Same category, within 150 m, in the last 30 days. If it is the same, press "Me too" instead of sending a new one.
duplicates-followed = Noted: you now follow that report.
report-submit = Submit report
report-saving = Saving…
report-saved = Report saved on this device. It will be sent automatically when online.
report-see-mine = See my reports
report-draft-kept = Your draft is saved automatically.
report-fix-errors = Please correct the marked fields.

me-title = Me
me-reports = My reports
me-settings = Settings

reports-title = My reports
reports-empty = You have not made any report yet.
reports-created = Made { $time }
reports-history = Handling
delivery-saved = Saved on this device
delivery-sending = Sending
delivery-delivered = Sent
delivery-refused = Refused: { $reason }
status-received = Received by the city
status-assigned = Assigned to a unit
status-in_progress = In progress
status-resolved = Resolved
status-rejected = Rejected
status-duplicate = Duplicate of another report

report-followed = You follow this report ("me too").
rating-question = Are you satisfied with how it was handled?
rating-very-satisfied = Very satisfied
rating-satisfied = Satisfied
rating-not-satisfied = Not satisfied
rating-comment = Comment (optional)
rating-send = Send rating
rating-sent = Rating saved; it will be sent when online.
rating-given = You rated it: { $choice }
reopen = Still a problem — reopen
reopen-sent = Reopening requested; it will be sent when online.
settings-title = Settings
settings-language = Language
settings-server = Server address
settings-server-hint = For example http://127.0.0.1:8787
settings-save = Save
settings-saved = Settings saved.

alerts-title = Alerts
map-title = Map
nearby-title = List of reports
nearby-empty = No reports nearby yet.
nearby-distance = { $metres } m away
nearby-me-too-count = { $count ->
    [one] 1 person also has this problem
   *[other] { $count } people also have this problem
}
nearby-me-too = Me too
not-built = This part is not in this version yet. It comes in a later one.
not-built-list = When the map arrives, everything on it can also be done from a list.

error-title = Something went wrong
error-malformed_json = The data sent was damaged.
error-missing_field = This field is empty.
error-invalid_type = This value has the wrong type.
error-invalid_value = This value is not valid.
error-out_of_range = The coordinate is out of range.
error-too_long = The text is too long (4,000 characters at most).
error-unknown_category = This category does not exist.
error-id_conflict = This report clashes with another report's id.
error-unauthorized = The server does not recognise this device.
error-forbidden = You may not do this.
error-not_found = Not found.
error-method_not_allowed = This action is not supported.
error-unsupported_media_type = This data format is not supported.
error-payload_too_large = The data is too large.
error-rate_limited = Too many requests; please try again later.
error-internal = The server has a problem; please try again later.
error-network = Cannot reach the server.
error-storage = Could not save on this device.
error-bad_response = The server gave an invalid answer.
error-photo_too_large = The photo is too large (30 MB at most).
error-photo_too_many_pixels = The photo has too many pixels (40 megapixels at most).
error-photo_unsupported = This picture format is not supported (e.g. HEIC). Use JPEG, PNG or WebP.
error-photo_not_an_image = This file is not a picture.
error-photo_corrupt = The photo is damaged or incomplete.
field-category = Category
field-description = Description
field-latitude = Latitude
field-longitude = Longitude
report-address = Address or nearby landmark
address-suggested = Suggested from the nearest known place:
address-near = Near { $place }
address-use = Use this address
location-use-device = Use my location
location-locating = Getting the device's location…
location-denied = The app may not use your location.
location-timeout = The device could not find its location in time.
location-unavailable = The device gives no location.
location-fallback = Use the photo's location, drop a pin on the map, or type the coordinates.
location-poor-accuracy = The device's location is only accurate to about { $metres } m. Check the pin on the map and drag it to the right spot.
location-device-accuracy = Device location, accurate to about { $metres } m.
location-map-label = Map to choose the report's location
location-map-hint = Tap the map to drop a pin, drag the pin to adjust. You can also type the coordinates below.
map-zoom-in = Zoom in
map-zoom-out = Zoom out
map-pin = Report location (drag to adjust)
map-no-tiles = Map background unavailable (offline). Markers are still shown.
map-reports-label = Map of reports
map-legend = Status legend
nearby-near-me = Near me
nearby-around-centre = Around Huế's centre (Trường Tiền bridge).
nearby-around-me = Around your location.
nearby-details = Details
public-title = Report
public-back = Back to the map
public-received = Received { $time }
reports-step-photo = Photo of the work { $n }
settings-tiles = Map background address
settings-tiles-hint = A {"{"}z{"}"}/{"{"}x{"}"}/{"{"}y{"}"} template; leave empty for no online background.
loading = Loading…
report-photo-unsupported = { $format } pictures are not supported. Use JPEG, PNG or WebP (iPhone: Settings › Camera › Formats › Most Compatible).
