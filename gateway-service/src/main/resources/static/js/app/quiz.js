// The live quiz view: join a session by its code and play, or (instructors, admins) host one of
// my quizzes. The server owns time: countdowns run to the question's `deadline` in server time
// (the library's clockSkew corrects the local clock); the session is resumed by the library.
import { h, clear, toast } from './dom.js';

const HOST_ROLES = ['instructor', 'admin'];

export class Quiz {
  constructor({ client, api, me, host }) {
    Object.assign(this, { client, api, me, host });
    this.session = null; // {id, role, title, total}
    this.timer = null;
    this.answered = new Map(); // questionIndex → my answer
    this.question = null;
  }

  start() {
    const c = this.client;
    const mine = (data, frame) => this.session && frame?.topic?.startsWith(`quiz:session:${this.session.id}`);
    c.on('quiz:question', (d, f) => mine(d, f) && this.showQuestion(d));
    c.on('quiz:question:results', (d, f) => mine(d, f) && this.showResults(d));
    c.on('quiz:participant_update', (d, f) => mine(d, f) && this.setParticipants(d.count));
    c.on('quiz:answer_count', (d, f) => mine(d, f) && this.setAnswerCount(d));
    c.on('quiz:leaderboard', (d, f) => mine(d, f) && this.showBoard(d.top, 'Leaderboard'));
    c.on('quiz:rank', (d, f) => mine(d, f) && this.showRank(d));
    c.on('quiz:completed', (d, f) => mine(d, f) && this.showCompleted(d));
    c.on('quiz:state', (d, f) => mine(d, f) && this.showState(d));
    c.on('quiz:joined', (ack) => this.session?.id === ack.sessionId && this.restore(ack));
    this.drawHome();
  }

  get canHost() {
    return (this.me.roles || []).some((r) => HOST_ROLES.includes(r));
  }

  // ---- home: join by code; host one of my quizzes; author a small one --------------------------

  drawHome() {
    this.stopTimer();
    const code = h('input', { id: 'quiz-code', inputMode: 'numeric', autocomplete: 'off', placeholder: '6-digit code', required: true, 'aria-label': 'Join code' });
    const join = h('form.inline-form', {
      id: 'quiz-join',
      onsubmit: (e) => { e.preventDefault(); this.joinByCode(code.value.trim()).catch((err) => toast(err.message, 'error')); },
    }, code, h('button.primary', { type: 'submit' }, 'Join'));
    const parts = [h('h2', {}, 'Join a quiz'), join];
    if (this.canHost) {
      this.list = h('ul.quiz-list', { id: 'quiz-list' });
      parts.push(h('h2', {}, 'My quizzes'), this.list, this.authorForm());
      this.loadQuizzes();
    }
    clear(this.host, h('section.quiz-home', {}, parts));
  }

  async loadQuizzes() {
    try {
      const { items } = await this.api('/api/quiz/quizzes');
      clear(this.list, items.length ? items.map((q) => h('li', {},
        h('span', {}, q.title, h('small.muted', {}, ` ${q.questions.length} questions`)),
        h('button', { type: 'button', dataset: { quiz: q.id }, onclick: () => this.hostQuiz(q) }, 'Host')))
        : h('li.muted', {}, 'No quizzes yet.'));
    } catch (e) {
      clear(this.list, h('li.error', {}, `Could not load your quizzes: ${e.message}`));
    }
  }

  /** One question a line: `text | option | *right option | option` (the starred one is right). */
  authorForm() {
    const title = h('input', { id: 'quiz-title', required: true, maxLength: 200, placeholder: 'Title' });
    const seconds = h('input', { id: 'quiz-seconds', type: 'number', min: 5, max: 300, value: 20, 'aria-label': 'Seconds per question' });
    const pause = h('input', { id: 'quiz-pause', type: 'number', min: 0, max: 300, value: 3, 'aria-label': 'Seconds between questions' });
    const lines = h('textarea', { id: 'quiz-questions', rows: 5, required: true,
      placeholder: 'One question a line: 2 + 2? | 3 | *4 | 5' });
    const error = h('p.error', { role: 'alert' });
    return h('form.quiz-author', {
      id: 'quiz-author',
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        try {
          const questions = lines.value.split('\n').map((l) => l.trim()).filter(Boolean).map((line, i) => {
            const [text, ...options] = line.split('|').map((s) => s.trim());
            const correct = options.findIndex((o) => o.startsWith('*'));
            if (correct < 0) throw new Error(`Question ${i + 1}: mark the right option with *`);
            return { type: 'single', text, options: options.map((o) => o.replace(/^\*/, '').trim()), correct,
              timeLimitSeconds: Number(seconds.value) };
          });
          const quiz = await this.api('/api/quiz/quizzes', { method: 'POST', body: {
            title: title.value.trim(), questions, settings: { pauseBetweenQuestionsSeconds: Number(pause.value) },
          } });
          title.value = ''; lines.value = '';
          this.loadQuizzes();
          toast(`Quiz “${quiz.title}” saved`);
        } catch (err) {
          error.textContent = err.message;
        }
      },
    }, h('h2', {}, 'New quiz'), title, lines,
    h('div.row', {}, h('label', {}, 'Seconds per question ', seconds), h('label', {}, 'Pause ', pause),
      h('button.primary', { type: 'submit' }, 'Save')), error);
  }

  async hostQuiz(quiz) {
    const ack = await this.client.hostQuiz(quiz.id);
    this.session = { id: ack.sessionId, role: 'host', title: ack.title, total: ack.total, joinCode: ack.joinCode };
    this.drawSession();
    this.setParticipants(0);
    this.setState(ack.state);
  }

  async joinByCode(code) {
    if (!/^\d{6}$/.test(code)) throw new Error('A join code has 6 digits');
    const found = await this.api(`/api/quiz/sessions/by-code/${code}`);
    this.session = { id: found.sessionId, role: 'participant', title: found.title };
    this.drawSession();
    try {
      await this.client.joinQuiz(found.sessionId); // its ack comes back as quiz:joined → restore()
    } catch (e) {
      this.client.leaveQuiz(found.sessionId);
      this.session = null;
      this.drawHome();
      throw e;
    }
  }

  /**
   * Opens a session by its id (a notification's link): joins it — as its host again if it is mine —
   * and draws it from the join's snapshot. A session already on screen stays as it is.
   */
  async openSession(sessionId) {
    if (this.session?.id === sessionId) return;
    if (this.session) this.leave();
    this.session = { id: sessionId, role: 'participant', title: '' };
    this.drawSession();
    try {
      await this.client.joinQuiz(sessionId);
    } catch (e) {
      this.client.leaveQuiz(sessionId);
      this.session = null;
      this.drawHome();
      throw e;
    }
  }

  leave() {
    if (this.session) this.client.leaveQuiz(this.session.id);
    this.session = null;
    this.question = null;
    this.answered.clear();
    this.drawHome();
  }

  // ---- a session on screen ----------------------------------------------------------------------

  drawSession() {
    const s = this.session;
    this.el = {
      state: h('span.quiz-state', { id: 'quiz-state' }),
      participants: h('span', { id: 'quiz-participants' }),
      score: h('span', { id: 'quiz-score' }),
      stage: h('div.quiz-stage', { id: 'quiz-stage' }),
      side: h('div.quiz-side', { id: 'quiz-side' }),
    };
    const controls = s.role === 'host' ? h('div.quiz-controls', {},
      ['start', 'next', 'pause', 'resume', 'end'].map((step) => h('button', {
        type: 'button', dataset: { step }, onclick: () => this.control(step),
      }, step[0].toUpperCase() + step.slice(1)))) : null;
    clear(this.host, h('section.quiz', { dataset: { role: s.role } },
      h('header.quiz-head', {},
        h('h2', {}, s.title || 'Quiz'),
        s.joinCode ? h('div.join-code', { id: 'quiz-join-code', 'aria-label': 'Join code' }, s.joinCode) : null,
        this.el.state, this.el.participants, this.el.score,
        h('button.subtle', { type: 'button', onclick: () => this.leave() }, 'Leave')),
      controls, this.el.stage, this.el.side));
    if (s.role === 'host' && s.joinCode) {
      this.el.stage.append(h('p.muted', {}, 'Players open the Quiz tab and type the code above. Start when everyone is in.'));
    }
  }

  async control(step) {
    try {
      const ack = await this.client.request(`quiz:${step}`, { sessionId: this.session.id });
      this.setState(ack.state);
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  setState(state) {
    if (!this.el) return;
    this.state = state;
    this.el.state.textContent = state;
    // The host's buttons: only the steps the session can take from here.
    const allowed = { start: ['lobby'], next: ['reveal'], pause: ['question', 'reveal'], resume: ['paused'],
      end: ['lobby', 'question', 'reveal', 'paused'] };
    const buttons = [...this.host.querySelectorAll('.quiz-controls button[data-step]')];
    const focused = buttons.includes(document.activeElement);
    for (const b of buttons) b.disabled = !allowed[b.dataset.step]?.includes(state);
    // A keyboard user's focus moves on to the next step rather than falling out of the page.
    if (focused && document.activeElement?.disabled !== false) buttons.find((b) => !b.disabled)?.focus();
    this.host.querySelector('.quiz')?.setAttribute('data-state', state);
  }

  setParticipants(count) {
    if (this.el) this.el.participants.textContent = `${count} ${count === 1 ? 'player' : 'players'}`;
  }

  setAnswerCount({ index, answered, total }) {
    const el = this.el?.stage.querySelector('#quiz-answer-count');
    if (el && this.question?.index === index) el.textContent = `${answered} / ${total} answered`;
  }

  /** The join's snapshot: after a (re)join everything on screen is redrawn from it. */
  restore(ack) {
    const redraw = ack.role !== this.session.role || ack.title !== this.session.title;
    Object.assign(this.session, { role: ack.role, title: ack.title, total: ack.total });
    if (redraw) this.drawSession();
    this.setState(ack.state);
    this.setParticipants(ack.participants ?? 0);
    if (ack.role === 'participant') this.el.score.textContent = `score ${ack.score ?? 0}`;
    for (const a of ack.answers || []) this.answered.set(a.questionIndex, a.answer);
    if (ack.question && (ack.state === 'question' || ack.state === 'paused')) {
      this.showQuestion({ ...ack.question, index: ack.index }, ack.state === 'paused' ? ack.remainingMs : null);
    } else if (ack.state === 'completed' || ack.state === 'cancelled') {
      clear(this.el.stage, h('p.final', {}, ack.state === 'completed' ? 'The quiz is over.' : 'The quiz was ended.'));
    }
  }

  showQuestion(q, pausedRemainingMs = null) {
    this.question = q;
    this.setState(pausedRemainingMs == null ? 'question' : 'paused');
    const mine = this.answered.get(q.index);
    const host = this.session.role === 'host';
    const countdown = h('div.countdown', { id: 'quiz-countdown', role: 'timer' });
    const options = (q.options || []).map((text, i) => {
      const value = q.type === 'true_false' ? i === 0 : i;
      return h('button.option', {
        type: 'button', disabled: host || mine !== undefined, dataset: { option: i },
        'aria-pressed': String(mine === value), onclick: () => this.answer(q.index, value),
      }, text);
    });
    clear(this.el.stage,
      h('p.muted', {}, `Question ${q.index + 1} of ${q.total ?? this.session.total}`),
      h('h3.question', { id: 'quiz-question' }, q.text), countdown,
      h('div.options', {}, options),
      host ? h('p', { id: 'quiz-answer-count' }, '') : h('p', { id: 'quiz-feedback', role: 'status' }, mine !== undefined ? 'Answer sent' : ''));
    this.runCountdown(countdown, pausedRemainingMs == null ? q.deadline : null, pausedRemainingMs);
  }

  runCountdown(el, deadline, frozenMs) {
    this.stopTimer();
    const draw = () => {
      const left = frozenMs ?? Math.max(0, deadline - (Date.now() + (this.client.clockSkew || 0)));
      el.textContent = `${Math.ceil(left / 1000)} s`;
      el.style.setProperty('--left', String(Math.min(1, left / ((this.question?.timeLimitSeconds || 30) * 1000))));
    };
    draw();
    if (frozenMs == null) this.timer = setInterval(draw, 200);
  }

  stopTimer() {
    clearInterval(this.timer);
    this.timer = null;
  }

  async answer(index, value) {
    this.answered.set(index, value);
    for (const b of this.el.stage.querySelectorAll('.option')) {
      b.disabled = true;
      const i = Number(b.dataset.option);
      b.setAttribute('aria-pressed', String(typeof value === 'boolean' ? value === (i === 0) : value === i));
    }
    const feedback = this.el.stage.querySelector('#quiz-feedback');
    try {
      await this.client.request('quiz:answer', { sessionId: this.session.id, questionIndex: index, answer: value });
      if (feedback) feedback.textContent = 'Answer sent';
    } catch (e) {
      if (feedback) feedback.textContent = e.message;
    }
  }

  showResults(r) {
    this.stopTimer();
    this.setState('reveal');
    const q = this.question?.index === r.index ? this.question : null;
    const mine = this.answered.get(r.index);
    const right = mine !== undefined && JSON.stringify(mine) === JSON.stringify(r.correct);
    const options = q?.options || [];
    clear(this.el.stage,
      h('p.muted', {}, `Question ${r.index + 1}${q ? `: ${q.text}` : ''}`),
      this.session.role === 'participant' ? h('p.verdict', {
        id: 'quiz-verdict', dataset: { right: String(right) },
      }, mine === undefined ? 'No answer' : right ? 'Right!' : 'Wrong') : null,
      h('ul.distribution', {}, options.map((text, i) => h('li', {
        class: (q.type === 'true_false' ? (i === 0) === r.correct : Array.isArray(r.correct) ? r.correct.includes(i) : r.correct === i) ? 'correct' : '',
      }, `${text}: ${Array.isArray(r.distribution) ? r.distribution[i] ?? 0 : ''}`))),
      h('p.muted', {}, `${r.correctCount} of ${r.answered} right`),
      r.explanation ? h('p', {}, r.explanation) : null);
  }

  showRank(d) {
    this.el.score.textContent = `score ${d.score} · rank ${d.rank} of ${d.participants}`;
    this.el.score.dataset.rank = d.rank;
  }

  showBoard(rows, heading, id = 'quiz-leaderboard') {
    clear(this.el.side, h('h3', {}, heading), h('ol.board', { id }, rows.map((r) => h('li', {
      class: r.userId === this.me.id ? 'me' : '', dataset: { user: r.userId, rank: r.rank },
    }, h('span.rank', {}, `${r.rank}.`), h('span.name', {}, r.name || r.userId), h('span.points', {}, String(r.score))))));
  }

  showCompleted(d) {
    this.stopTimer();
    this.setState('completed');
    clear(this.el.stage, h('p.final', {}, 'The quiz is over.'));
    this.showBoard(d.ranking, 'Final ranking', 'quiz-ranking');
    const mine = d.ranking.find((r) => r.userId === this.me.id);
    if (mine) this.el.score.textContent = `score ${mine.score} · rank ${mine.rank} of ${d.ranking.length}`;
  }

  showState(d) {
    this.setState(d.state);
    if (d.state === 'paused') {
      const el = this.el.stage.querySelector('#quiz-countdown');
      if (el) this.runCountdown(el, null, d.remainingMs ?? 0);
    } else if (d.state === 'question' && d.deadline && this.question) {
      this.question.deadline = d.deadline;
      const el = this.el.stage.querySelector('#quiz-countdown');
      if (el) this.runCountdown(el, d.deadline, null);
    } else if (d.state === 'cancelled') {
      this.stopTimer();
      clear(this.el.stage, h('p.final', {}, 'The host ended the quiz before it started.'));
    }
  }
}
