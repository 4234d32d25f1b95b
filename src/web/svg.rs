//! Server-drawn SVG: the four-colour campus risk map, the district map, QR codes.
