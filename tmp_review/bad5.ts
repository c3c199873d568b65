export default (app) => app.task({name:"x", cron:"* * *"}, ()=>{});
