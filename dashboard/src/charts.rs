//! Charts drawn server-side as inline SVG with plotters (SVG backend only, no system fonts:
//! text is written as SVG `<text>` and the browser renders it). Every chart has a title, axis
//! labels and, when it has several series, a legend. The SVG is the only HTML inserted unescaped
//! in the pages (`|safe`); plotters escapes every text it writes, names from the data included.

use chrono::{Days, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Colour-blind-safe palette (Okabe-Ito), dark enough on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(117, 112, 179),
    RGBColor(86, 120, 20),
    RGBColor(0, 0, 0),
    RGBColor(160, 110, 0),
];
const WIDTH: u32 = 760;
const FONT: &str = "sans-serif";

/// A drawn chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Title, also the SVG's accessible name.
    pub title: String,
    /// The `<svg>` element.
    pub svg: String,
}

/// A named line of points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
}

/// A day as an x value: days since 1970-01-01, so day axes are numeric.
pub fn day_x(d: NaiveDate) -> f64 {
    (d - NaiveDate::default()).num_days() as f64
}

/// The `dd/mm/yy` tick label of an x value made by [`day_x`].
pub fn day_label(x: f64) -> String {
    NaiveDate::default()
        .checked_add_days(Days::new(x.max(0.0).round() as u64))
        .map(|d| d.format("%d/%m/%y").to_string())
        .unwrap_or_default()
}

/// The colour of the `i`-th series.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn draw(
    title: &str,
    height: u32,
    paint: impl FnOnce(&Area<'_>) -> Result<(), String>,
) -> Result<Chart, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        paint(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    // The title is the SVG's accessible name; the figure caption repeats it for sighted users.
    let label = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    );
    Ok(Chart {
        title: title.to_string(),
        svg,
    })
}

/// Horizontal bars: for each labelled category (top to bottom in the order given), one bar per
/// series; a legend when there are several series.
pub fn horizontal_bars(
    title: &str,
    x_label: &str,
    y_label: &str,
    labels: &[String],
    series: &[(String, Vec<f64>)],
) -> Result<Chart, String> {
    let n = u32::try_from(labels.len().max(1)).map_err(|e| e.to_string())?;
    let groups = series.len().max(1) as u32;
    let max = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0)
        * 1.1;
    let height = 90 + 24 * n * groups.min(2) + if groups > 1 { 30 } else { 0 };
    draw(title, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(190)
            .build_cartesian_2d(0.0..max, (0u32..n).into_segmented())
            .map_err(|e| e.to_string())?;
        let label = |v: &SegmentValue<u32>| match v {
            // Categories are listed top down: segment 0 is drawn at the top.
            SegmentValue::CenterOf(i) => (n - 1)
                .checked_sub(*i)
                .and_then(|slot| labels.get(slot as usize))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .y_labels(n as usize)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| crate::format::dec(*x, 0))
            .label_style((FONT, 15))
            .draw()
            .map_err(|e| e.to_string())?;
        // Each category's band is split into one thin bar per series, in legend order.
        let band = 18 / groups.min(3) as i32;
        for (g, (name, values)) in series.iter().enumerate() {
            let c = colour(g);
            let offset = 3 + band * g as i32;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let slot = n - 1 - i as u32;
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(slot)),
                            (*v, SegmentValue::Exact(slot + 1)),
                        ],
                        c.filled(),
                    );
                    if groups > 1 {
                        bar.set_margin(offset as u32, (21 - offset - band).max(0) as u32, 0, 0);
                    } else {
                        bar.set_margin(3, 3, 0, 0);
                    }
                    bar
                }))
                .map_err(|e| e.to_string())?
                .label(name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .label_font((FONT, 14))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Lines (with points) over a numeric x axis; `x_text` writes the x tick labels, `y_text` the y
/// ones. A legend is drawn when there are several series.
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    x_text: &dyn Fn(f64) -> String,
    y_text: &dyn Fn(f64) -> String,
) -> Result<Chart, String> {
    let points = || series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1) = bounds(points().map(|p| p.0));
    let (mut y0, mut y1) = bounds(points().map(|p| p.1));
    widen(&mut x0, &mut x1);
    widen(&mut y0, &mut y1);
    let pad = (y1 - y0) * 0.08;
    draw(title, 360, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(8)
            .x_label_formatter(&|x| x_text(*x))
            .y_label_formatter(&|y| y_text(*y))
            .label_style((FONT, 15))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, s) in series.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
            chart
                .draw_series(s.points.iter().map(|p| Circle::new(*p, 3, c.filled())))
                .map_err(|e| e.to_string())?;
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .label_font((FONT, 14))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Grouped columns: for each category, one column per series, with a legend. Negative values
/// (losses) hang below a zero line.
pub fn grouped_columns(
    title: &str,
    x_label: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<f64>)],
) -> Result<Chart, String> {
    let n = categories.len().max(1);
    let groups = series.len().max(1) as f64;
    let max = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0)
        * 1.35;
    let min = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(0.0_f64, f64::min)
        * 1.15;
    draw(title, 360, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), min..max)
            .map_err(|e| e.to_string())?;
        let x_text = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            categories.get(i as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(n.min(12))
            .x_label_formatter(&x_text)
            .y_label_formatter(&|y| crate::format::dec(*y, 0))
            .label_style((FONT, 15))
            .draw()
            .map_err(|e| e.to_string())?;
        if min < 0.0 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
                    BLACK.stroke_width(1),
                )))
                .map_err(|e| e.to_string())?;
        }
        let width = 0.8 / groups;
        for (g, (name, values)) in series.iter().enumerate() {
            let c = colour(g);
            let left = -0.4 + width * g as f64;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let x = i as f64 + left;
                    Rectangle::new([(x, 0.0), (x + width, *v)], c.filled())
                }))
                .map_err(|e| e.to_string())?
                .label(name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .draw()
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// A range plotters can draw: finite and not empty.
fn widen(lo: &mut f64, hi: &mut f64) {
    if !lo.is_finite() || !hi.is_finite() {
        (*lo, *hi) = (0.0, 1.0);
    } else if (*hi - *lo).abs() < f64::EPSILON {
        (*lo, *hi) = (*lo - 1.0, *hi + 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_has_its_title_axis_labels_and_escaped_names_as_svg_text() {
        let labels = vec!["1 – <script>".to_string(), "2 – BRAVO".to_string()];
        let bars = vec![("Marché".to_string(), vec![40.0, 60.0])];
        let chart = horizontal_bars("Probabilité", "Probabilité (%)", "Partant", &labels, &bars)
            .expect("drawn");
        assert!(
            chart
                .svg
                .starts_with("<svg role=\"img\" aria-label=\"Probabilité\"")
        );
        assert!(
            chart.svg.contains("\nProbabilité (%)\n</text>"),
            "x axis label"
        );
        assert!(chart.svg.contains("\nPartant\n</text>"), "y axis label");
        assert!(chart.svg.contains("2 – BRAVO"));
        assert!(!chart.svg.contains("<script>"), "names are escaped");
        assert!(
            chart.svg.matches("<rect").count() >= 3,
            "background and two bars"
        );
    }

    #[test]
    fn two_bar_series_get_a_legend_and_losses_hang_below_zero() {
        let labels = vec!["1 · A".to_string(), "2 · B".to_string()];
        let two = vec![
            ("Modèle".to_string(), vec![30.0, 70.0]),
            ("Marché".to_string(), vec![45.0, 55.0]),
        ];
        let chart = horizontal_bars("P", "x", "y", &labels, &two).expect("drawn");
        assert!(chart.svg.contains("\nModèle\n</text>") && chart.svg.contains("\nMarché\n</text>"));
        let days = vec!["01/01".to_string(), "02/01".to_string()];
        let pnl = vec![("top".to_string(), vec![-3.0, 2.0])];
        let columns = grouped_columns("Gains", "Jour", "€", &days, &pnl).expect("drawn");
        assert!(columns.svg.contains("\n-3\n</text>") || columns.svg.contains("\n-2\n</text>"));
    }

    #[test]
    fn a_line_chart_with_two_series_has_a_legend_and_survives_a_single_point() {
        let series = vec![
            Series {
                name: "N° 1".into(),
                points: vec![(0.0, 3.5), (10.0, 2.9)],
            },
            Series {
                name: "N° 2".into(),
                points: vec![(5.0, 4.0)],
            },
        ];
        let chart = lines(
            "Cotes",
            "Heure",
            "Cote",
            &series,
            &|x| format!("{x}"),
            &|y| format!("{y}"),
        )
        .expect("drawn");
        assert!(chart.svg.contains("\nN° 1\n</text>") && chart.svg.contains("\nN° 2\n</text>"));
        let empty = lines("Vide", "x", "y", &[], &|x| format!("{x}"), &|y| {
            format!("{y}")
        });
        assert!(empty.is_ok(), "no points still draws the axes");
    }
}
