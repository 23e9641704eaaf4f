//! QR codes as inline SVG (the CardDAV setup page, public card links).

/// A QR code of `text` as inline SVG, at least `size` pixels square.
pub(crate) fn qr_svg(text: &str, size: u32) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(size, size)
            .quiet_zone(true)
            .build(),
    )
}
