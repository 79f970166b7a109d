import { render } from 'preact';
import './styles/base.css';
import './styles/layout.css';
import './styles/chat.css';
import './styles/look.css';
import './styles/marks.css';
import './styles/receipts.css';
import { App } from './ui/app.js';
import { followNotificationClicks } from './net/push.js';
import { navigate } from './router.js';

render(<App />, document.getElementById('app')!);
followNotificationClicks((path) => navigate(path));
