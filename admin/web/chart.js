// Small inline-SVG charts for the dashboard: grouped vertical bars (per month) and horizontal
// bars (funnel, breakdowns). Every bar carries data-chart, data-month or data-key and data-value,
// so tests read the numbers a chart draws.
'use strict';

const MCTChart = (() => {
  const NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null) node.setAttribute(key, String(value));
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A "nice" axis maximum and tick step for values up to `max`.
  function niceScale(max, ticks = 4) {
    if (max <= 0) return { top: 1, step: 1 };
    const rough = max / ticks;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
    const whole = Math.max(1, Math.ceil(step));
    return { top: Math.ceil(max / whole) * whole, step: whole };
  }

  // Grouped vertical bars: categories along x (months), one bar per series in each group.
  function bars(container, { categories, series, title, height = 260, formatLabel = (c) => c }) {
    const width = 960;
    const margin = { top: 16, right: 12, bottom: 46, left: 44 };
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    let max = 0;
    for (const one of series) for (const value of one.values) max = Math.max(max, value);
    const { top, step } = niceScale(max);
    const root = svg('svg', {
      viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title || 'bar chart',
      preserveAspectRatio: 'xMidYMid meet',
    });
    if (title) root.append(svg('title', {}, title));
    const y = (value) => margin.top + plotHeight - (value / top) * plotHeight;
    for (let tick = 0; tick <= top; tick += step) {
      root.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: tick === 0 ? 'axis' : 'grid' }));
      root.append(svg('text', { x: margin.left - 6, y: y(tick) + 4, class: 'tick', 'text-anchor': 'end' }, String(tick)));
    }
    const group = categories.length ? plotWidth / categories.length : plotWidth;
    const barWidth = Math.max(1, Math.min(28, (group * 0.8) / Math.max(1, series.length)));
    const labelEvery = Math.max(1, Math.ceil(categories.length / 16));
    categories.forEach((category, index) => {
      const x0 = margin.left + index * group + (group - barWidth * series.length) / 2;
      series.forEach((one, s) => {
        const value = one.values[index] || 0;
        const rect = svg('rect', {
          x: x0 + s * barWidth, y: y(value), width: Math.max(0.5, barWidth - 1), height: Math.max(0, y(0) - y(value)),
          class: `bar ${one.className || ''}`, 'data-chart': one.key, 'data-month': category, 'data-value': value,
        });
        rect.append(svg('title', {}, `${formatLabel(category)} · ${one.label}: ${value}`));
        root.append(rect);
      });
      if (index % labelEvery === 0) {
        root.append(svg('text', {
          x: margin.left + index * group + group / 2, y: height - margin.bottom + 16, class: 'tick', 'text-anchor': 'middle',
        }, formatLabel(category)));
      }
    });
    // Legend, bottom left.
    let legendX = margin.left;
    for (const one of series) {
      root.append(svg('rect', { x: legendX, y: height - 16, width: 10, height: 10, class: `bar ${one.className || ''}` }));
      const label = svg('text', { x: legendX + 14, y: height - 7, class: 'legend' }, one.label);
      root.append(label);
      legendX += 24 + one.label.length * 7.5;
    }
    container.replaceChildren(root);
    return root;
  }

  // Horizontal bars: one row per item, the label on the left and the value at the bar's end.
  function hbars(container, { rows, chart, title, formatValue = String, max, width = 960, labelWidth = 200, valueWidth = 120 }) {
    const rowHeight = 28;
    const height = rows.length * rowHeight + 8;
    const top = max !== undefined ? max : Math.max(1, ...rows.map((row) => row.value));
    const plot = width - labelWidth - valueWidth;
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart hchart', role: 'img', 'aria-label': title || 'bar chart' });
    if (title) root.append(svg('title', {}, title));
    rows.forEach((row, index) => {
      const yTop = 4 + index * rowHeight;
      root.append(svg('text', { x: labelWidth - 8, y: yTop + 18, class: 'label', 'text-anchor': 'end' }, row.label));
      root.append(svg('rect', { x: labelWidth, y: yTop + 4, width: plot, height: rowHeight - 8, class: 'track' }));
      const rect = svg('rect', {
        x: labelWidth, y: yTop + 4, width: top > 0 ? (Math.max(0, row.value) / top) * plot : 0, height: rowHeight - 8,
        class: `bar ${row.className || ''}`, 'data-chart': chart, 'data-key': row.key, 'data-value': row.value,
      });
      rect.append(svg('title', {}, `${row.label}: ${formatValue(row.value)}`));
      root.append(rect);
      root.append(svg('text', { x: labelWidth + plot + 8, y: yTop + 18, class: 'value' }, formatValue(row.value) + (row.note ? `  ${row.note}` : '')));
    });
    container.replaceChildren(root);
    return root;
  }

  return { bars, hbars, niceScale };
})();
