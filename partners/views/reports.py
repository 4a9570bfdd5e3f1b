"""Partner representative pages: home, contribution reports, attachments, indicator values, exports."""
