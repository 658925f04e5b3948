/*
 * Draws the charts of an aoai-probe HTML report with uPlot. This file runs in the
 * browser, inlined into the report by scripts/inline-assets.mjs (as CHARTS_SCRIPT in
 * src/report/assets.generated.ts); run `npm run build` after editing it.
 *
 * It reads the data island <script type="application/json" id="aoai-probe-data">
 * written by src/report/html.ts and fills the elements #chart-requests,
 * #chart-remaining and #chart-latency. Nothing is fetched; recording text (phase
 * names) only ever reaches a canvas through fillText, never the DOM as markup.
 */
(function () {
  'use strict';

  var COLORS = {
    admitted: '#2e9d5b',
    refused: '#d64545',
    failed: '#8a6d3b',
    requests: '#3b7dd8',
    tokens: '#8e44ad',
    latency: 'rgba(60, 60, 60, 0.55)',
    p50: '#e67e22',
    marker: '#c0392b',
    phase: '#7f8c8d',
  };

  var island = document.getElementById('aoai-probe-data');
  if (!island || typeof uPlot === 'undefined') return;
  var data = JSON.parse(island.textContent || '{}');
  var charts = [];

  function seconds(ms) {
    return ms / 1000;
  }

  /**
   * The x scale of every chart: from 0 to the end of the last slice. Why not uPlot's
   * own range (the first to the last x value): a bar is drawn from its slice's start
   * rightwards, so the last slice's bar (the last burst of a run) would fall outside
   * the plot and the time axis would end before the run did.
   */
  function xScale() {
    var starts = data.slices.startMs;
    var end = starts.length === 0 ? data.sliceMs : starts[starts.length - 1] + data.sliceMs;
    return { time: false, range: function () { return [0, seconds(end)]; } };
  }

  /** The x series: seconds from the start, shown as "12.3 s" in the legend. */
  function timeSeries() {
    return {
      label: 'time',
      value: function (u, value) { return value === null || value === undefined ? '—' : Number(value.toFixed(3)) + ' s'; },
    };
  }

  function secondsAxis() {
    return {
      label: 'seconds from start',
      values: function (u, splits) {
        return splits.map(function (value) { return value + ' s'; });
      },
    };
  }

  function widthOf(element) {
    return Math.max(320, Math.floor(element.clientWidth || 600));
  }

  /** Vertical lines at the first refusal and at phase starts, drawn over the plot. */
  function markers(u) {
    var ctx = u.ctx;
    var ratio = uPlot.pxRatio || 1;
    var top = u.bbox.top;
    var bottom = u.bbox.top + u.bbox.height;
    ctx.save();
    // uPlot leaves its axis text settings on the context (right-aligned tick labels): set ours.
    ctx.font = Math.round(11 * ratio) + 'px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    if ((data.phases || []).length > 1) {
      // A probe has many short phases: a name is written only where it clears the one
      // before it (its dashed line is always drawn), so names never pile into a smear.
      var labelsEndAt = -Infinity;
      var labels = [];
      data.phases.forEach(function (phase) {
        var x = Math.round(u.valToPos(seconds(phase.startMs), 'x', true));
        ctx.strokeStyle = COLORS.phase;
        ctx.lineWidth = ratio;
        ctx.setLineDash([2 * ratio, 3 * ratio]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.stroke();
        var name = String(phase.name).slice(0, 40);
        var labelX = x + 3 * ratio;
        var width = ctx.measureText(name).width;
        if (labelX < labelsEndAt + 6 * ratio || labelX + width > u.bbox.left + u.bbox.width) return;
        ctx.fillStyle = COLORS.phase;
        ctx.fillText(name, labelX, top + 12 * ratio);
        labelsEndAt = labelX + width;
        labels.push({ name: name, left: labelX / ratio, right: labelsEndAt / ratio });
      });
      // Where the names went, for anyone checking the page (the browser tests do).
      u.root.setAttribute('data-phase-labels', JSON.stringify(labels));
    }
    if (data.firstRefusalMs !== null && data.firstRefusalMs !== undefined) {
      var x = Math.round(u.valToPos(seconds(data.firstRefusalMs), 'x', true));
      ctx.strokeStyle = COLORS.marker;
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash([6 * ratio, 4 * ratio]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillStyle = COLORS.marker;
      ctx.beginPath();
      ctx.moveTo(x, bottom);
      ctx.lineTo(x - 6 * ratio, bottom + 9 * ratio);
      ctx.lineTo(x + 6 * ratio, bottom + 9 * ratio);
      ctx.closePath();
      ctx.fill();
      var label = '▲ first refusal ' + data.firstRefusalText;
      var width = ctx.measureText(label).width;
      var labelX = x + 4 * ratio + width > u.bbox.left + u.bbox.width ? x - 4 * ratio - width : x + 4 * ratio;
      // A light box behind the words keeps them readable over red bars.
      ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
      ctx.fillRect(labelX - 2 * ratio, top + 15 * ratio, width + 4 * ratio, 15 * ratio);
      ctx.fillStyle = COLORS.marker;
      ctx.fillText(label, labelX, top + 26 * ratio);
    }
    ctx.restore();
  }

  function noData(element, text) {
    var note = document.createElement('p');
    note.className = 'no-data';
    note.textContent = text;
    element.appendChild(note);
  }

  function requestsChart(element) {
    var slices = data.slices;
    if (slices.startMs.length === 0) return noData(element, 'No requests in the recording.');
    var x = slices.startMs.map(seconds);
    // Stacked bars: the red series is admitted + refused drawn first, the green one
    // (admitted) over it, so green sits at the bottom and red shows the refused part.
    var stackedRefused = slices.refused.map(function (refused, index) { return refused + slices.admitted[index]; });
    // src/report/html.ts folds long runs into at most a few hundred columns, so each bar keeps a few pixels.
    var bars = uPlot.paths.bars({ size: [0.9, 80], align: 1 });
    var series = [
      timeSeries(),
      {
        label: 'refused',
        stroke: COLORS.refused,
        fill: COLORS.refused,
        paths: bars,
        points: { show: false },
        value: function (u, value, seriesIndex, index) { return index === null ? '—' : slices.refused[index]; },
      },
      {
        label: 'admitted',
        stroke: COLORS.admitted,
        fill: COLORS.admitted,
        paths: bars,
        points: { show: false },
      },
    ];
    var columns = [x, stackedRefused, slices.admitted];
    if (slices.failed.some(function (value) { return value > 0; })) {
      series.push({ label: 'failed + dropped', stroke: COLORS.failed, width: 2, points: { show: false } });
      columns.push(slices.failed);
    }
    return new uPlot({
      width: widthOf(element),
      height: 280,
      padding: [16, 16, 12, 0],
      scales: { x: xScale(), y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [secondsAxis(), { label: 'requests per ' + data.sliceText }],
      series: series,
      hooks: { draw: [markers] },
    }, columns, element);
  }

  function remainingChart(element) {
    var slices = data.slices;
    var hasRequests = slices.remainingRequests.some(function (value) { return value !== null; });
    var hasTokens = slices.remainingTokens.some(function (value) { return value !== null; });
    if (!hasRequests && !hasTokens) return noData(element, 'No remaining-requests or remaining-tokens headers were seen.');
    var x = slices.startMs.map(seconds);
    var series = [timeSeries()];
    var columns = [x];
    var axes = [secondsAxis()];
    if (hasRequests) {
      series.push({ label: 'remaining-requests', scale: 'requests', stroke: COLORS.requests, width: 2, spanGaps: true, points: { show: true, size: 4 } });
      columns.push(slices.remainingRequests);
      axes.push({ scale: 'requests', label: 'remaining-requests', stroke: COLORS.requests });
    }
    if (hasTokens) {
      series.push({ label: 'remaining-tokens', scale: 'tokens', stroke: COLORS.tokens, width: 2, spanGaps: true, points: { show: true, size: 4 } });
      columns.push(slices.remainingTokens);
      axes.push({ scale: 'tokens', label: 'remaining-tokens', stroke: COLORS.tokens, side: hasRequests ? 1 : 3, grid: { show: !hasRequests } });
    }
    var fromZero = function (u, min, max) { return [0, Math.max(1, max)]; };
    return new uPlot({
      width: widthOf(element),
      height: 240,
      padding: [16, 8, 12, 0],
      scales: { x: xScale(), requests: { range: fromZero }, tokens: { range: fromZero } },
      axes: axes,
      series: series,
      hooks: { draw: [markers] },
    }, columns, element);
  }

  function latencyChart(element) {
    var points = data.latencyPoints;
    var slices = data.slices;
    if (points.atMs.length === 0 && !slices.latencyP50Ms.some(function (value) { return value !== null; })) {
      return noData(element, 'No admitted request, so no latency.');
    }
    // uPlot wants one x array for every series: join the per-request points and the per-slice p50 on x.
    var joined = uPlot.join([
      [points.atMs.map(seconds), points.latencyMs],
      [slices.startMs.map(function (start) { return seconds(start + data.sliceMs / 2); }), slices.latencyP50Ms],
    ]);
    return new uPlot({
      width: widthOf(element),
      height: 240,
      padding: [16, 16, 12, 0],
      scales: { x: xScale(), y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [secondsAxis(), { label: 'latency, ms' }],
      series: [
        timeSeries(),
        { label: 'request', stroke: COLORS.latency, paths: function () { return null; }, points: { show: true, size: 5, fill: COLORS.latency } },
        // No spanGaps: a slice with no admitted request (null) breaks the line; x values that
        // only the points have are undefined after the join, which uPlot steps over.
        { label: 'p50', stroke: COLORS.p50, width: 2, points: { show: false } },
      ],
      hooks: { draw: [markers] },
    }, joined, element);
  }

  [
    ['chart-requests', requestsChart],
    ['chart-remaining', remainingChart],
    ['chart-latency', latencyChart],
  ].forEach(function (entry) {
    var element = document.getElementById(entry[0]);
    if (!element) return;
    var chart = entry[1](element);
    if (chart) charts.push({ chart: chart, element: element });
  });

  // Lets tests (and anyone scripting the page) know the charts are drawn.
  document.documentElement.setAttribute('data-charts-ready', 'true');

  window.addEventListener('resize', function () {
    charts.forEach(function (entry) {
      entry.chart.setSize({ width: widthOf(entry.element), height: entry.chart.height });
    });
  });
})();
