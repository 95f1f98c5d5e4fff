"""Printed and scanned things: the sign-in sheet and name badges as PDF (fpdf2, with an
embedded TrueType font so that Cyrillic renders), and the door code as a QR code in SVG
(segno), drawn on the server so that pages need no JavaScript."""
