-- Public reports: "me too" followers, and indexes for nearby and duplicate look-ups.
CREATE TABLE followers (
    report_id  TEXT NOT NULL REFERENCES reports(id),
    device_id  TEXT NOT NULL REFERENCES devices(id),
    at         TEXT NOT NULL,
    PRIMARY KEY (report_id, device_id)
) STRICT;
CREATE INDEX followers_device ON followers(device_id);
CREATE INDEX reports_place ON reports(latitude, longitude);
CREATE INDEX reports_category_time ON reports(category, received_at);
