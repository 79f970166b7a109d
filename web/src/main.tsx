import { render } from 'preact';
import './styles/base.css';
import './styles/layout.css';
import './styles/chat.css';
import './styles/receipts.css';
import { App } from './ui/app.js';

render(<App />, document.getElementById('app')!);
