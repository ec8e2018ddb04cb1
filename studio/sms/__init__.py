"""Text messages to parents through the studio's own SMS provider (Twilio or TurboSMS):
per-studio settings, one row per message with its delivery status, opt-outs ("STOP")."""
