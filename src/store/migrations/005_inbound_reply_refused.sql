-- A reply the SMTP server refused for good (5xx): the message is filed without one, and never retried.
ALTER TABLE inbound_messages ADD COLUMN reply_refused text;
